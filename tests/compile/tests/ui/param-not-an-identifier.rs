mountns::namespace! {
    static BAD = {
        bind "/src/" param("/home/me/project");
        bind "/out/" param(OUT, EXTRA);
    };
}

fn main() {}

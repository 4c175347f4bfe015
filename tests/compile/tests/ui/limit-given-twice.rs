mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [nofile(1024), cpu(60), nofile(64)];
    };
}
fn main() {}

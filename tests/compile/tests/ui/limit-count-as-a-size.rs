mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [nofile("1K")];
    };
}
fn main() {}

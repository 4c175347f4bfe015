mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [nofile];
    };
}
fn main() {}

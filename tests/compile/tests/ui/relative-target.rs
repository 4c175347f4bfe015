mountns::namespace! {
    static NS = {
        bind "usr/";
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind ro ro "/usr/";
    };
}
fn main() {}

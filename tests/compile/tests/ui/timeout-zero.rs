mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        timeout(0);
    };
}
fn main() {}

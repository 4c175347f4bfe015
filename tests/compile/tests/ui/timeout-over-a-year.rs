mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        timeout(31536001);
    };
}
fn main() {}

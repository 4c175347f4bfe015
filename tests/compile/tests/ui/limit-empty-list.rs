mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [];
    };
}
fn main() {}

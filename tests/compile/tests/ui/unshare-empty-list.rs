mountns::namespace! {
    static NS = {
        unshare [];
    };
}
fn main() {}

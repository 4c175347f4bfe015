mountns::namespace! {
    static NS = {
        bind ro "";
    };
}
fn main() {}

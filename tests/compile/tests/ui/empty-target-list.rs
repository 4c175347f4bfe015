mountns::namespace! {
    static NS = {
        bind [];
    };
}
fn main() {}

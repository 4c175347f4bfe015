mountns::namespace! {
    static NS = {
        include mountns::NO_SUCH_NAMESPACE;
    };
}
fn main() {}

mountns::namespace! {
    static NS: mountns::Namespace = {
        bind "/usr/";
    };
}
fn main() {}

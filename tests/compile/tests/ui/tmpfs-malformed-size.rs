mountns::namespace! {
    static NS = {
        bind "/tmp/" tmpfs("size=ten");
    };
}
fn main() {}

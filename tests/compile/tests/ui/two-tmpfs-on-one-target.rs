mountns::namespace! {
    static NS = {
        bind "/tmp/" tmpfs("size=10M");
        bind "/tmp/" tmpfs;
    };
}
fn main() {}

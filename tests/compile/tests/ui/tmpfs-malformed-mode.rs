mountns::namespace! {
    static NS = {
        bind "/tmp/" tmpfs("size=10M,mode=999");
    };
}
fn main() {}

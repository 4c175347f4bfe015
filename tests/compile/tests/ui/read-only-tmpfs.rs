mountns::namespace! {
    static NS = {
        bind ro "/tmp/" tmpfs;
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind "/tmp/" tmpfs("colour=red");
    };
}
fn main() {}

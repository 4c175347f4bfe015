mountns::namespace! {
    static NS = {
        bind "/usr/../etc/";
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind "/usr\0/";
    };
}
fn main() {}

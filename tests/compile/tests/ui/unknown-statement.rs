mountns::namespace! {
    static NS = {
        mount "/usr/";
    };
}
fn main() {}

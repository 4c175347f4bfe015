mountns::namespace! {
    static NS = {
        bind rw "/usr/";
    };
}
fn main() {}

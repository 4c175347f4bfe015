mountns::namespace! {
    static NS = {
        bind "/opt/" [];
    };
}
fn main() {}

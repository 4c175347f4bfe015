mountns::namespace! {
    static NS = {
        bind "/usr//lib/";
    };
}
fn main() {}

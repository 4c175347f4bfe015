mountns::namespace! {
    static NS = {
        bind "/usr/"
        bind "/etc/";
    };
}
fn main() {}

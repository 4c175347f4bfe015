mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        timeout("30s");
    };
}
fn main() {}

const DATA: &str = "srv/data";

mountns::namespace! {
    static NS = {
        bind "/data/" DATA;
    };
}
fn main() {}

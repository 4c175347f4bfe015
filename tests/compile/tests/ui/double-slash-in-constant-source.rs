// A constant source is held to a literal's rules, a trailing `//` included.
const DATA: &str = "/srv/data//";

mountns::namespace! {
    static NS = {
        bind "/data/" DATA;
    };
}
fn main() {}

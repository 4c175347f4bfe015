mountns::namespace! {
    static NS = {
        bind ["/a/", "/b/"] "/srv/c/";
    };
}
fn main() {}

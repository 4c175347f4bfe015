mountns::namespace! {
    static NS = {
        bind "/opt/" ["/srv/a/", "/srv/b/", "/srv/a"];
    };
}
fn main() {}

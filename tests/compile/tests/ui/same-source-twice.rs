mountns::namespace! {
    static NS = {
        bind "/opt/" ["/srv/a/", "/srv/b/"];
        bind "/opt/" "/srv/a";
    };
}
fn main() {}

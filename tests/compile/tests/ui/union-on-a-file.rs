mountns::namespace! {
    static NS = {
        bind "/etc/hosts" ["/srv/hosts", "/etc/hosts"];
    };
}
fn main() {}

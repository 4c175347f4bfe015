mountns::namespace! {
    static NS = {
        bind ro "/etc/" ["/etc/", tmpfs("size=1M")];
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind "/tmp" tmpfs("size=10M");
        bind "/tmp/cache" tmpfs;
        bind "/opt" ["/srv/a/", "/srv/b/"];
        bind "/opt/x/" "/srv/x/";
        bind "/etc" ["/etc/", tmpfs("size=1M")];
    };
}
fn main() {
    for mount in NS.mounts() {
        assert!(mount.is_dir(), "{mount}");
    }
}

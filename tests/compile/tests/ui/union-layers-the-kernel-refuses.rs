mountns::namespace! {
    static NS = {
        bind "/" ["/proc/", "/srv/root/"];
        bind "/a/" ["/sys/fs/", "/srv/a/"];
        bind "/b/" ["/dev/", tmpfs];
        bind "/c/" ["/srv/c/", "/srv/c/sub/"];
        bind "/d/" ["/srv/", tmpfs];
        bind "/d/" "/srv/d/";
    };
}
fn main() {}

// A `dir` or `symlink` under a host bind or a read-only union (not on `/`) would be
// made in the host's directory.
mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        dir "/usr/cache/";
        bind "/opt/" ["/srv/a/", "/srv/b/"];
        symlink "/opt/lib" "a/lib";
        bind "/" "/srv/rootfs/";
        dir "/run/";
    };
}
fn main() {}

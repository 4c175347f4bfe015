// A `dir` or `symlink` made inside a union with the host's upper would land in that
// upper directory: refused, as in any host directory. (A `file` is a mount, on the
// skeleton's mountpoint: fine.)
mountns::namespace! {
    static NS = {
        bind "/srv/" ["/srv/lower/", upper("/srv/upper/", "/srv/work/")];
        dir "/srv/cache/";
        symlink "/srv/link" "cache";
        file "/srv/conf" "x";
    };
}
fn main() {}

// A `dir` or `symlink` in the root is made with the skeleton, the lowest layer of a
// union on `/`. A constant source on `/` is known only once expanded: a package with
// inputs is a union and keeps the skeleton; a lone directory is a bind that hides it.
const ROOT: &str = "/srv/rootfs";

mountns::namespace! {
    static NS = {
        bind "/" ROOT;
        dir "/run/";
        symlink "/lib" "usr/lib";
    };
}
fn main() {}

// A `symlink` makes a link and a `file` a file: a trailing slash is an error.
mountns::namespace! {
    static NS = {
        symlink "/lib/" "usr/lib";
        file "/etc/hostname/" "box\n";
    };
}
fn main() {}

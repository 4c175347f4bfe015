// A link and a file have no children.
mountns::namespace! {
    static NS = {
        symlink "/lib" "usr/lib";
        bind ro "/lib/modules/";
        file "/etc/hostname" "box\n";
        dir "/etc/hostname/d/";
    };
}
fn main() {}

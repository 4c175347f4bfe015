// The targets of `proc`, `dev`, `dir`, `symlink` and `file` follow the path rules of
// bind targets.
mountns::namespace! {
    static NS = {
        proc "proc/";
        dev "/a/../dev/";
        dir "/var//tmp/";
        symlink "" "usr/lib";
        file "/etc/./hostname" "box\n";
    };
}
fn main() {}

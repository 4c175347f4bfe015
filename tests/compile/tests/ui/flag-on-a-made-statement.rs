// No flag applies to `proc`, `dev`, `dir`, `symlink` or `file`: each flag word is an
// error that says so, not a syntax error.
mountns::namespace! {
    static NS = {
        proc ro "/proc/";
        dev dev "/dev/";
        dir noexec "/var/tmp/";
        symlink ro "/lib" "usr/lib";
        file ro "/etc/hostname" "box\n";
    };
}
fn main() {}

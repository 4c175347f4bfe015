// No flag applies to `proc`, `dev`, `dir` or `symlink`, and only `rw` to `file`: each
// other flag word is an error that says so, not a syntax error.
mountns::namespace! {
    static NS = {
        proc ro "/proc/";
        dev dev "/dev/";
        dir noexec "/var/tmp/";
        symlink ro "/lib" "usr/lib";
        file ro "/etc/hostname" "box\n";
        file noexec "/etc/issue" "box\n";
        file rw rw "/etc/motd" "hello\n";
        dir rw "/srv/";
    };
}
fn main() {}

// What `proc`, `dev`, `dir`, `symlink` and `file` make stands alone on its target;
// the same statement twice (from two includes) merges, two different ones do not.
mountns::namespace! {
    static A = {
        dir "/var/tmp/";
        bind "/var/tmp/" tmpfs;
        proc "/proc/";
        bind "/proc/";
        symlink "/lib" "usr/lib";
        symlink "/lib" "usr/lib64";
        file "/etc/hostname" "box\n";
        file "/etc/hostname" "other\n";
        dev "/dev/";
        dir "/dev/";
    };
}
fn main() {}

// Only `dir` and `file` take a mode: a tmpfs takes it as an option.
mountns::namespace! {
    static NS = {
        symlink "/lib" "usr/lib" mode(0755);
        proc "/proc/" mode(0555);
        dev "/dev/" mode(0755);
        bind "/tmp/" tmpfs mode(1777);
        bind "/usr/" mode(0755);
    };
}
fn main() {}

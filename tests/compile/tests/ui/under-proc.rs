// A fresh procfs is the kernel's: nothing is mounted or made inside it.
mountns::namespace! {
    static NS = {
        proc "/proc/";
        bind "/proc/sys/" tmpfs;
        dir "/proc/mine/";
        symlink "/proc/link" "self";
        file "/proc/note" "x";
    };
}
fn main() {}

// An unknown syscall or group is an error at its name, with the nearest name.
mountns::namespace! {
    static BOX = {
        syscalls deny [ptrase, @mont, @system-servce, frobnicate];
    };
}
fn main() {}

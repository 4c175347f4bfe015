// The statements' syntax.
mountns::namespace! {
    static BOX = {
        syscalls permit [ptrace];
        syscalls deny ptrace;
        syscalls errno EPERM;
        syscalls deny [@];
        sockets unix;
    };
}
fn main() {}

// The same call allowed and denied by name is an error naming both statements, also
// through an include; through a group, deny wins (no error).
mountns::namespace! {
    static DENIES = {
        syscalls deny [ptrace];
    };
    static BOTH = {
        syscalls allow [@default, ptrace];
        syscalls deny [ptrace, mount];
    };
    static INCLUDED = {
        include DENIES;
        syscalls allow [@default, ptrace];
    };
    static BY_GROUP = {
        syscalls allow [@system-service];
        syscalls deny [@debug];
    };
}
fn main() {}

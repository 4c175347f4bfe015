// A policy that would refuse `execve` could not start the program.
mountns::namespace! {
    static ALLOW = {
        syscalls allow [@basic-io, @file-system];
    };
    static DENY = {
        syscalls deny [@default];
    };
}
fn main() {}

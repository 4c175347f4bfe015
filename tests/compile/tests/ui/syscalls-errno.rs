// An unknown errno, with the nearest name; two different errnos name both statements.
mountns::namespace! {
    static BASE = {
        syscalls errno(EACCES);
    };
    static UNKNOWN = {
        syscalls errno(EPRM);
    };
    static TWICE = {
        syscalls errno(EPERM);
        syscalls errno(ENOSYS);
    };
    static INCLUDED = {
        include BASE;
        syscalls errno(EPERM);
    };
    static SAME = {
        include BASE;
        syscalls errno(EACCES);
    };
}
fn main() {}

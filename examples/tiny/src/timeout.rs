//! `tiny-timeout PROGRAM [ARGS...]`: the sandbox of `tiny-sandbox`, with Landlock, and
//! a time limit of 2 seconds: then the program and everything it started are killed,
//! and the launcher exits with 137.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// A sandbox that lasts 2 seconds at most.
    static SANDBOX = {
        bind ro "/usr/";
        symlink "/bin" "usr/bin";
        symlink "/lib" "usr/lib";
        symlink "/lib64" "usr/lib64";
        dev "/dev/";
        proc "/proc/";
        bind "/tmp/" tmpfs;
        unshare [net];
        new_session;
        landlock;
        timeout(2);
    };
}

mountns::launcher!(SANDBOX);

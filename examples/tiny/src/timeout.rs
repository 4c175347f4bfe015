//! `tiny-timeout PROGRAM [ARGS...]`: host `/usr`, a fresh `/dev` and `/proc`, with
//! Landlock, for 2 seconds at most: then the program and everything it started are
//! killed, and the launcher exits with 137.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// Two seconds of a small view.
    static BRIEF = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        dev "/dev/";
        proc "/proc/";
        landlock;
        timeout(2);
    };
}

mountns::launcher!(BRIEF);

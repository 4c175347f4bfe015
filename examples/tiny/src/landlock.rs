//! `tiny-landlock PROGRAM [ARGS...]`: the `tiny` launcher's seven-mount view, with
//! Landlock: the program reaches files only as those mounts allow, whatever it does to
//! them. The benchmarks' seven-mount view plus `landlock;`.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// The benchmarks' seven-mount view, with Landlock.
    static SEVEN_LANDLOCK = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
        landlock;
    };
}

mountns::launcher!(SEVEN_LANDLOCK);

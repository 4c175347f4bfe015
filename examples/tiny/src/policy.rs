//! `tiny-policy PROGRAM [ARGS...]`: `tiny-landlock` with resource limits: 64
//! descriptors, 4096 processes, 4 GiB of address space, files of 1 GiB at most, no
//! core dumps.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// The benchmarks' seven-mount view, with Landlock and limits.
    static SEVEN_POLICY = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
        landlock;
        limit [nofile(64), nproc(4096), as("4G"), fsize("1G"), core(0)];
    };
}

mountns::launcher!(SEVEN_POLICY);

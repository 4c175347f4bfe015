//! A static launcher of a few kilobytes: `tiny PROGRAM [ARGS...]` enters the
//! benchmarks' seven-mount sandbox (read-only `/usr`, `/bin`, `/lib`, `/lib64`; the
//! host's `/dev` and `/proc`; a tmpfs `/tmp`) and executes `PROGRAM` in it, as the
//! `exec` example does, without std or libc.
//!
//! ```sh
//! cd examples/tiny && cargo build --release
//! target/x86_64-unknown-linux-gnu/release/tiny /bin/ls /
//! ```

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// The benchmarks' seven-mount sandbox.
    static SEVEN = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
    };
}

mountns::launcher!(SEVEN);

//! `tiny-sandbox PROGRAM [ARGS...]`: the `tiny` launcher with a sandbox instead of a
//! filesystem view. The host's `/usr` read-only with the merged-`/usr` links, a fresh
//! `/dev` and `/proc` in a pid namespace of their own, a tmpfs `/tmp`, no network but
//! `lo`, and a new session. The same as bubblewrap's
//!
//! ```sh
//! bwrap --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
//!   --symlink usr/lib64 /lib64 --dev /dev --proc /proc --tmpfs /tmp \
//!   --unshare-pid --unshare-net --new-session --die-with-parent PROGRAM
//! ```
//!
//! with `mountns::DEFAULT_SYSCALLS` besides (a deny list of the kernel's attack
//! surface, no nested user namespace), which bubblewrap has no default for.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    /// The benchmarks' seven-mount sandbox.
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
        include mountns::DEFAULT_SYSCALLS;
    };
}

mountns::launcher!(SANDBOX);

//! The namespaces of the benchmarks (issue 5), shared by the harness, which enters them
//! through `Command::namespace`, and by `bench-exec`, the static launcher.

use mountns::namespace;

namespace! {
    /// W0: the seven-mount sandbox, the same as the `exec` example's.
    pub static SEVEN = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
    };

    /// W0 with a writable union over /etc.
    pub static SEVEN_ETC = {
        include SEVEN;
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
    };

    /// W0 with the benchmarks' programs at /opt/bench: the seccomp benchmark's
    /// terminal rule only (every table's).
    pub static SEVEN_BENCH = {
        include SEVEN;
        bind ro "/opt/bench/" "/tmp/mountns-bench/bin/";
    };

    /// The same with the default syscall profile.
    pub static SEVEN_DEFAULT = {
        include SEVEN_BENCH;
        include mountns::DEFAULT_SYSCALLS;
    };
}

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// A namespace by the name the harness passes to `bench-exec`: `seven`, `seven-etc`,
/// `w1-N` or `w2-N`.
pub fn by_name(name: &str) -> Option<&'static mountns::Namespace> {
    match name {
        "seven" => Some(&SEVEN),
        "seven-etc" => Some(&SEVEN_ETC),
        "seven-bench" => Some(&SEVEN_BENCH),
        "seven-default" => Some(&SEVEN_DEFAULT),
        "seven-allow-300" => Some(&SEVEN_ALLOW_300),
        _ => {
            let (kind, n) = name.split_once('-')?;
            let n: usize = n.parse().ok()?;
            match kind {
                "w1" if BINDS.contains(&n) => Some(w1(n)),
                "w2" if LAYERS.contains(&n) => Some(w2(n)),
                _ => None,
            }
        }
    }
}

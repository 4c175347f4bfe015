//! The namespaces of the benchmarks, shared by the harness, which enters them
//! through `Command::namespace`, and by `bench-exec`, the static launcher.

use mountns::namespace;

namespace! {
    /// The seven-mount sandbox of the entry benchmark, the same as the `exec` example's.
    pub static SEVEN = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
    };

    /// The seven-mount sandbox with a writable union over /etc.
    pub static SEVEN_ETC = {
        include SEVEN;
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
    };

    /// The seven-mount sandbox with the benchmarks' programs at /opt/bench: the seccomp benchmark's
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
/// `binds-N` or `layers-N`.
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
                "binds" if BINDS.contains(&n) => Some(binds(n)),
                "layers" if LAYERS.contains(&n) => Some(layers(n)),
                _ => None,
            }
        }
    }
}

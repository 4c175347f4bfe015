//! The namespaces of the benchmarks, shared by the harness, which enters them
//! through `Command::namespace`, and by `bench-exec`, the static launcher.

use mountns::{Namespace, namespace};

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

    /// The seven-mount sandbox keeping one capability (every table drops the rest).
    pub static SEVEN_CAPS = { include SEVEN; caps [net_bind_service]; };
    /// The seven-mount sandbox with the default syscall profile (and `no_userns`).
    pub static SEVEN_SYSCALLS = { include SEVEN; include mountns::DEFAULT_SYSCALLS; };
    /// The seven-mount sandbox under Landlock.
    pub static SEVEN_LANDLOCK = { include SEVEN; landlock; };
    /// The seven-mount sandbox with five resource limits.
    pub static SEVEN_LIMITS = {
        include SEVEN;
        limit [nofile(1024), nproc(256), as("2G"), cpu(60), fsize("100M")];
    };
    /// The seven-mount sandbox as another user and group.
    pub static SEVEN_IDS = { include SEVEN; uid 1000; gid 1000; };
    /// The seven-mount sandbox in a pid namespace of its own (pid 1 and the caller's
    /// stand-in: two more processes).
    pub static SEVEN_PID = { include SEVEN; unshare [pid]; };
    /// The seven-mount sandbox with a time limit (a pid namespace, and pid 1's clock).
    pub static SEVEN_TIMEOUT = { include SEVEN; timeout(30); };
    /// The seven-mount sandbox in a network namespace of its own.
    pub static SEVEN_NET = { include SEVEN; unshare [net]; };
    /// The seven-mount sandbox in a new session (a stand-in process).
    pub static SEVEN_SESSION = { include SEVEN; new_session; };
    /// The seven-mount sandbox with a fresh /proc (which brings a pid namespace) in
    /// place of the host's.
    pub static SEVEN_PROC = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        proc "/proc/";
        bind "/tmp/" tmpfs;
    };
    /// The seven-mount sandbox with a fresh /dev in place of the host's.
    pub static SEVEN_DEV = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
    };
}

/// The features measured one at a time over the seven-mount sandbox: the name
/// `bench-exec` takes, the namespace, and what it adds.
pub const FEATURES: [(&str, &Namespace, &str); 11] = [
    ("seven-caps", &SEVEN_CAPS, "`caps [net_bind_service];`"),
    (
        "seven-syscalls",
        &SEVEN_SYSCALLS,
        "`include mountns::DEFAULT_SYSCALLS;`",
    ),
    ("seven-landlock", &SEVEN_LANDLOCK, "`landlock;`"),
    ("seven-limits", &SEVEN_LIMITS, "`limit [..]` (5 limits)"),
    ("seven-ids", &SEVEN_IDS, "`uid 1000; gid 1000;`"),
    ("seven-pid", &SEVEN_PID, "`unshare [pid];`"),
    ("seven-timeout", &SEVEN_TIMEOUT, "`timeout(30);`"),
    ("seven-net", &SEVEN_NET, "`unshare [net];`"),
    ("seven-session", &SEVEN_SESSION, "`new_session;`"),
    (
        "seven-proc",
        &SEVEN_PROC,
        "`proc \"/proc/\";` for the host's /proc",
    ),
    (
        "seven-dev",
        &SEVEN_DEV,
        "`dev \"/dev/\";` for the host's /dev",
    ),
];

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
        _ if name.starts_with("seven-") => FEATURES
            .iter()
            .find(|(feature, _, _)| *feature == name)
            .map(|(_, namespace, _)| *namespace),
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

//! Landlock on older kernels, played on this one by capping the ABI entering uses
//! (`force_landlock_abi`, which holds for the whole process: hence one test in a
//! binary of its own). `landlock;` applies what the ABI has; `landlock strict;` fails
//! entering, naming the ABI it needs and what the kernel lacks.

use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::process::Command;

use mountns::{CommandExt as _, Namespace, Step, namespace};
use mountns_support::{BASE, USERS, as_user, host_sleeper, inherit};

namespace! {
    /// The host's /proc, so that a host process is there to signal.
    static BEST_EFFORT = {
        include BASE;
        bind "/proc/";
        bind "/tmp/" tmpfs;
        landlock;
    };

    static STRICT = {
        include BEST_EFFORT;
        landlock strict;
    };

    static STRICT_PORTS = {
        include STRICT;
        unshare [net];
        connect [443];
    };
}

/// Python that lists `/proc` (always allowed) and the host's `/tmp` through the
/// descriptor 7 it inherited (a path outside the new root: allowed only without
/// Landlock), and tries signal 0 on the host process `argv[1]` and the host's abstract
/// socket `argv[2]` (allowed only without Landlock's scopes): `ok` or the errno's name
/// each.
const PROBE: &str = r#"
import errno, os, socket, sys
def attempt(call):
    try:
        call()
        return "ok"
    except OSError as error:
        return errno.errorcode[error.errno]
print(attempt(lambda: os.listdir("/proc")),
      attempt(lambda: os.listdir("/proc/self/fd/7")),
      attempt(lambda: os.kill(int(sys.argv[1]), 0)),
      attempt(lambda: socket.socket(socket.AF_UNIX).connect("\0" + sys.argv[2])))
"#;

#[test]
fn older_abis_get_what_they_support_unless_strict() {
    let name = format!("mountns-landlock-abi-{}", std::process::id());
    let address = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _host = UnixListener::bind_addr(&address).unwrap();
    for user in USERS {
        let mut host = host_sleeper(user);
        let probe = |ns: &'static Namespace| {
            let mut command = Command::new("/usr/bin/python3");
            command.args(["-c", PROBE, &host.id().to_string(), &name]);
            as_user(&mut command, user);
            let _tmp = inherit(&mut command, &["/tmp"]);
            command.output_in(ns)
        };
        for (abi, expected) in [
            // This kernel's: every rule and both scopes.
            (None, "ok EACCES EPERM EPERM\n".to_owned()),
            (Some(6), "ok EACCES EPERM EPERM\n".to_owned()),
            // Before scopes (ABI 6): file rules only.
            (Some(5), "ok EACCES ok ok\n".to_owned()),
            (Some(3), "ok EACCES ok ok\n".to_owned()),
            (Some(2), "ok EACCES ok ok\n".to_owned()),
            (Some(1), "ok EACCES ok ok\n".to_owned()),
            // No Landlock at all: nothing is restricted.
            (Some(0), "ok ok ok ok\n".to_owned()),
        ] {
            mountns::force_landlock_abi(abi);
            let output = probe(&BEST_EFFORT).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                expected,
                "{user:?}, ABI {abi:?}: {output:?}"
            );
            let strict = probe(&STRICT);
            let strict_ports = probe(&STRICT_PORTS);
            if abi.is_none_or(|abi| abi >= 6) {
                assert_eq!(strict.unwrap().stdout, output.stdout, "{user:?}");
                continue;
            }
            for (result, ns) in [(strict, &STRICT), (strict_ports, &STRICT_PORTS)] {
                let error = result.unwrap_err();
                let message = error.to_string();
                let inner = error
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<mountns::Error>())
                    .unwrap();
                assert_eq!(inner.step(), Step::Landlock, "{message}");
                assert_eq!(inner.errno(), 95, "{message}");
                let abi = abi.unwrap();
                let lacks = match (abi, ns.landlock().unwrap().connect().is_some()) {
                    (1, _) => {
                        "without renaming and linking files between directories (REFER) (ABI 2)"
                    }
                    (2, _) => "without the truncation right (ABI 3)",
                    (3, true) => "without TCP port rules (ABI 4)",
                    (3, false) | (4 | 5, _) => {
                        "without the scopes of abstract unix sockets and signals (ABI 6)"
                    }
                    _ => "",
                };
                let expected = if abi == 0 {
                    "mountns: restrict with Landlock: this kernel has no Landlock (it is older \
                     than Linux 5.13, or Landlock is not enabled at boot: add it to the lsm= \
                     kernel parameter), and `landlock strict;` needs ABI 6; write `landlock;` \
                     to enter without it"
                        .to_owned()
                } else {
                    format!(
                        "mountns: restrict with Landlock: this kernel's Landlock is ABI {abi}, \
                         {lacks}, and `landlock strict;` needs ABI 6; enter on a newer \
                         kernel, or write `landlock;` to apply what this one supports"
                    )
                };
                assert_eq!(message, expected, "{user:?}");
            }
        }
        mountns::force_landlock_abi(None);
        host.kill().unwrap();
        host.wait().unwrap();
    }
}

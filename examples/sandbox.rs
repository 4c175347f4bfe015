//! Runs the command on its command line inside a sandbox: the system directories
//! read-only, a fresh `/dev` and `/proc` (the program sees only its own processes), a
//! fresh `/tmp`, a writable union over `/etc` whose writes land in a tmpfs and vanish
//! with the namespace, no network but `lo`, and a host name of its own. Works as root
//! and without root.
//!
//! ```sh
//! cargo run --example sandbox -- ls -l /
//! cargo run --example sandbox -- sh -c 'echo hi > /etc/motd; cat /etc/motd'
//! cargo run --example sandbox -- sh -c 'ps -e; hostname; cat /proc/net/dev'
//! ```

use std::process::{Command, ExitCode};

use mountns::{CommandExt, namespace};

namespace! {
    /// What `ls`, `sh` and friends need, and nothing of the host's data, processes,
    /// network or name.
    static SANDBOX = {
        include mountns::MINIMAL;               // a fresh /dev and /proc, a pid namespace
        bind ro ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs("size=64M,mode=1777");
        bind "/etc/" ["/etc/", tmpfs("size=8M")];
        file "/etc/hostname" "sandbox\n";
        unshare [net, ipc, uts];
        hostname "sandbox";
    };
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: sandbox PROGRAM [ARGS...]\n\nthe sandbox's mounts:\n{SANDBOX}");
        return ExitCode::from(2);
    };
    match Command::new(&program).args(args).status_in(&SANDBOX) {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1)),
            None => ExitCode::from(128),
        },
        Err(error) => {
            // Names the step and the table entry, or the program.
            eprintln!("sandbox: {error}");
            ExitCode::from(127)
        }
    }
}

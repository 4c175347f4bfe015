// The README's opening example, exactly (`tests/docs/examples.rs` checks that the two
// agree, and runs it): an interactive shell in a sandbox.
//
// ```sh
// cargo run --example readme
// ```

use std::process::Command;

use mountns::{CommandExt, namespace};

namespace! {
    static SANDBOX = {
        include mountns::MINIMAL;                        // a fresh /dev and /proc, time zones, CA certificates
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];  // the host's programs, read-only
        bind "/tmp/" tmpfs("size=10M");                  // a fresh tmpfs
        bind "/etc/" ["/etc/", tmpfs("size=1M")];        // a writable union: host /etc under a tmpfs
    };
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new("/bin/sh").status_in(&SANDBOX)?;
    std::process::exit(status.code().unwrap_or(1))
}

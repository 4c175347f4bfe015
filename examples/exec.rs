//! A static sandboxed launcher: it enters a
//! namespace declared at compile time and executes its arguments in place of itself.
//! Its namespace is the seven-mount sandbox of the benchmarks (read-only `/usr`,
//! `/bin`, `/lib`, `/lib64`; the host's `/dev` and `/proc`; a tmpfs `/tmp`);
//! `--union-etc` adds a writable union over `/etc`.
//!
//! Build it static, with glibc and no download:
//!
//! ```sh
//! RUSTFLAGS="-C target-feature=+crt-static" \
//!     cargo build --release --example exec --target x86_64-unknown-linux-gnu
//! target/x86_64-unknown-linux-gnu/release/examples/exec /bin/ls /
//! ```

use std::ffi::OsString;
use std::process::ExitCode;

use mountns::namespace;

namespace! {
    /// The benchmarks' seven-mount sandbox.
    static SEVEN = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp/" tmpfs;
    };

    /// The seven-mount sandbox with a writable union over /etc.
    static SEVEN_ETC = {
        include SEVEN;
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
    };
}

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let namespace = if args.first().is_some_and(|a| a == "--union-etc") {
        args.remove(0);
        &SEVEN_ETC
    } else {
        &SEVEN
    };
    if args.is_empty() {
        eprintln!("usage: exec [--union-etc] PROGRAM [ARGS...]");
        return ExitCode::from(2);
    }
    let error = namespace.exec(&args);
    eprintln!("exec: {error}");
    ExitCode::from(127)
}

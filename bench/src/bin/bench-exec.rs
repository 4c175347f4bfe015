//! The static launcher of the benchmarks, like the `exec` example but for any of the
//! bench's namespaces: `bench-exec [--legacy] NAME PROGRAM [ARGS...]`.

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "--legacy") {
        args.remove(0);
        mountns::force_legacy_unions(true);
    }
    let namespace = args
        .first()
        .and_then(|name| mountns_bench::by_name(name.to_str()?));
    let (Some(namespace), true) = (namespace, args.len() >= 2) else {
        eprintln!(
            "usage: bench-exec [--legacy] seven|seven-etc|binds-N|layers-N PROGRAM [ARGS...]"
        );
        return ExitCode::from(2);
    };
    let error = namespace.exec(&args[1..]);
    eprintln!("bench-exec: {error}");
    ExitCode::from(127)
}

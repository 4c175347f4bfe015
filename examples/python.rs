// A Python sandbox: `python SCRIPT [ARGS...]` runs a Python script with the host's
// Python read-only, its own directory read-only at `/work` (a source chosen at run
// time), a fresh `/tmp`, no network but `lo`, a clean environment, and the default
// syscall policy (no mounting, no tracing, no new user namespace).
//
// ```sh
// cargo run --example python -- ./analysis.py input.csv
// ```

use std::path::Path;
use std::process::{Command, ExitCode};

use mountns::{CommandExt, Params, namespace};

namespace! {
    static PYTHON = {
        include mountns::MINIMAL;                       // a fresh /dev and /proc
        include mountns::DEFAULT_SYSCALLS;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs("size=64M");
        bind ro "/work/" param(WORK);                   // the script's directory
        unshare [net, ipc];                             // only `lo`
        hostname "python";
        chdir "/work";
        env clear;
        env "PATH" "/usr/bin:/bin";
        env "HOME" "/tmp";
        env "LANG" "C.UTF-8";
    };
}

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let Some(script) = args.next() else {
        eprintln!("usage: python SCRIPT [ARGS...]");
        return Ok(ExitCode::from(2));
    };
    let script = Path::new(&script).canonicalize()?;
    let (Some(dir), Some(name)) = (script.parent(), script.file_name()) else {
        return Err(format!("{}: not a file", script.display()).into());
    };
    let params = Params::new().set("WORK", dir);
    let status = Command::new("/usr/bin/python3")
        .arg(name)
        .args(args)
        .status_in(PYTHON.with(params))?;
    let code = status.code().and_then(|code| u8::try_from(code).ok());
    Ok(ExitCode::from(code.unwrap_or(1)))
}

// The README's build sandbox, exactly (`tests/docs/examples.rs` checks that the two agree,
// and builds a C project with it, as root and as the project's owner): `make` in the
// current directory, which is bound as `/src`, its writes kept in a tmpfs.
//
// ```sh
// cd my-c-project && cargo run --manifest-path ~/mountns/Cargo.toml --example build -- check
// ```

use std::process::{Command, ExitCode};

use mountns::{CommandExt, Params, namespace};

namespace! {
    static BUILD = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind ro "/etc/alternatives/";                       // Debian's links: `cc` is one
        bind "/tmp/" tmpfs("size=100M");                    // gcc's temporary files
        bind "/src/" [param(PROJECT), tmpfs("size=100M")];  // writes stay in the tmpfs
        chdir "/src";                                       // make starts there
    };
}

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let params = Params::new().set("PROJECT", std::env::current_dir()?);
    let status = Command::new("/usr/bin/make")
        .args(std::env::args_os().skip(1))
        .status_in(BUILD.with(params))?;
    let code = status.code().and_then(|code| u8::try_from(code).ok());
    Ok(ExitCode::from(code.unwrap_or(1)))
}

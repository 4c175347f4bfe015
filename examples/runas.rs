// A root launcher: `runas UID GID PROGRAM [ARGS...]` runs a program as another user in
// a sandbox. It must run as root, which it needs to switch ids: `namespace_as` enters
// the namespace as root (a mount namespace only, so files keep their owners), then
// switches to the ids, and the program holds no capability.
//
// ```sh
// sudo target/debug/examples/runas 65534 65534 id
// ```

use std::process::{Command, ExitCode};

use mountns::{CommandExt, Ids, namespace};

namespace! {
    static RUNAS = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/", "/etc/"];
        bind "/tmp/" tmpfs("size=64M,mode=1777");
        new_session;
    };
}

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let parsed = match &args[..] {
        [uid, gid, program, rest @ ..] => uid
            .to_str()
            .and_then(|uid| uid.parse().ok())
            .zip(gid.to_str().and_then(|gid| gid.parse().ok()))
            .map(|(uid, gid)| (Ids::new(uid, gid), program, rest)),
        _ => None,
    };
    let Some((ids, program, rest)) = parsed else {
        eprintln!("usage: runas UID GID PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    match Command::new(program).args(rest).status_in_as(&RUNAS, ids) {
        Ok(status) => {
            let code = status.code().and_then(|code| u8::try_from(code).ok());
            ExitCode::from(code.unwrap_or(1))
        }
        Err(error) => {
            // Without root: `mountns: switch user and group ids: Operation not permitted`.
            eprintln!("runas: {error}");
            ExitCode::from(127)
        }
    }
}

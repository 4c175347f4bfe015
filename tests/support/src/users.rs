//! Who a test enters as: root, and uid 65534 (an unprivileged launcher); without root,
//! the caller alone.

use std::fs;
use std::io::{self, Write as _};
use std::os::unix::process::CommandExt as _;
use std::process::Command;

/// Whether this process runs as root.
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // /proc/self belongs to the process's effective uid.
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Whether the test may go on: as root, yes; otherwise it says on the terminal (past
/// the harness's capture) that it is skipped and `why` it needs root, and the caller
/// returns. Run as root, as CI does, to run it: `sudo -E cargo test --workspace`.
pub fn root_or_skip(why: &str) -> bool {
    if is_root() {
        return true;
    }
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("this test");
    let _ = writeln!(io::stderr(), "{name}: skipped, needs root: {why}");
    false
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    Root,
    /// Unprivileged: uid and gid 65534 when the tests run as root, else the caller
    /// itself. The hook runs unprivileged and makes a user namespace.
    Nobody,
}

/// The users each test enters as: root and uid 65534 when the tests run as root, the
/// caller alone (unprivileged) otherwise.
#[derive(Clone, Copy)]
pub struct Users;

pub const USERS: Users = Users;

impl IntoIterator for Users {
    type Item = User;
    type IntoIter = std::vec::IntoIter<User>;

    fn into_iter(self) -> Self::IntoIter {
        if is_root() {
            vec![User::Root, User::Nobody].into_iter()
        } else {
            vec![User::Nobody].into_iter()
        }
    }
}

/// The uid (and gid) of [`User::Nobody`]: 65534, or the caller's own without root.
pub fn nobody() -> u32 {
    if is_root() {
        65534
    } else {
        rustix::process::geteuid().as_raw()
    }
}

/// Makes `command` run as `user`. For `Nobody`, the child switches to uid and gid 65534
/// and then stands in for a program *started* as 65534 (an unprivileged launcher): it
/// makes itself dumpable again, as exec would have left it, so that the namespace hook
/// that follows takes the unprivileged route, a user namespace mapping 65534. mountns
/// itself refuses to do this (`Command::uid` with `namespace` fails; see
/// `tests/privileges/privileges.rs`): a dumpable child exposes the parent's memory and
/// descriptors to uid 65534 until exec. This test process holds nothing secret and no
/// other uid-65534 process watches it.
pub fn as_user(command: &mut Command, user: User) -> &mut Command {
    assert!(
        is_root() || user == User::Nobody,
        "only root runs commands as root"
    );
    if user == User::Nobody && is_root() {
        command.uid(65534).gid(65534);
        // SAFETY: the hook makes one prctl system call; it allocates nothing and takes
        // no lock.
        unsafe {
            command.pre_exec(|| {
                rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::Dumpable)
                    .map_err(io::Error::from)
            });
        }
    }
    command
}

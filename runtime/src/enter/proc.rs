//! `proc`: a fresh procfs, with the files that reach past the sandbox read-only.
//!
//! A procfs shows the pid namespace of the process that mounts it, which is why a table
//! with `proc` has a pid namespace of its own and mounts from pid 1 there. Its system
//! knobs are the host's all the same: `sys` (sysctls such as
//! `kernel/core_pattern`, which runs a program on the host as root), `sysrq-trigger`,
//! `irq` and `bus`. Each is covered by a read-only bind of itself, as bubblewrap does.

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::OFlags;
use rustix::io::Errno;
use rustix::mount::MountAttrFlags;

use crate::enter::fsops::{attach, bind_one, new_mount, open_beneath};
use crate::error::{Context, Error, Step};
use crate::table::PROC_ATTRIBUTES as ATTRIBUTES;

/// The entries of a procfs that only read-only binds make safe.
const COVERED: [&core::ffi::CStr; 4] = [c"sys", c"sysrq-trigger", c"irq", c"bus"];

/// Mounts a fresh procfs on `mountpoint` and covers its system knobs read-only.
pub(super) fn mount(mountpoint: &OwnedFd, context: Context) -> Result<(), Error> {
    context.step(Step::Proc, || {
        let proc = new_mount(c"proc", &[], ATTRIBUTES)?;
        attach(&proc, mountpoint)?;
        // `proc` still names the mount, now attached: the covers go on top of its files.
        COVERED
            .into_iter()
            .try_for_each(|name| cover_read_only(&proc, name))
    })
}

/// Binds `name` of `dir` read-only onto itself; one this kernel lacks is skipped.
fn cover_read_only(dir: &OwnedFd, name: &core::ffi::CStr) -> Result<(), Errno> {
    let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let node = match open_beneath(dir.as_fd(), name, flags) {
        Err(Errno::NOENT) => return Ok(()),
        opened => opened?,
    };
    bind_one(&node, ATTRIBUTES | MountAttrFlags::MOUNT_ATTR_RDONLY, &node)
}

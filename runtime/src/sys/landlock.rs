//! Landlock's three system calls (Linux 5.13), which rustix does not offer: create a
//! ruleset, add a rule to it, restrict the calling thread with it. Numbers and structs
//! from linux-raw-sys; no allocation.

use linux_raw_sys::general::{
    __NR_landlock_add_rule, __NR_landlock_create_ruleset, __NR_landlock_restrict_self,
};
use linux_raw_sys::landlock::{
    LANDLOCK_CREATE_RULESET_VERSION, landlock_net_port_attr, landlock_path_beneath_attr,
    landlock_rule_type, landlock_ruleset_attr,
};
use rustix::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use rustix::io::Errno;

use super::raw_syscall;

/// The Landlock ABI of the running kernel (`landlock_create_ruleset(NULL, 0,
/// LANDLOCK_CREATE_RULESET_VERSION)`): 1 from Linux 5.13, 7 on 6.15. ENOSYS before
/// 5.13, EOPNOTSUPP when Landlock is built in but not enabled at boot.
pub(crate) fn abi() -> Result<u32, Errno> {
    // SAFETY: with a null attribute and size 0, the kernel reads and writes no memory.
    let abi = unsafe {
        raw_syscall(
            __NR_landlock_create_ruleset,
            [0, 0, LANDLOCK_CREATE_RULESET_VERSION as usize, 0, 0],
        )
    }?;
    Ok(abi as u32)
}

/// A new ruleset that handles these rights (each set masked to what the kernel
/// knows: the kernel refuses a bit it does not know, and a field it does not know
/// unless it is 0). Its descriptor is `O_CLOEXEC`.
pub(crate) fn create_ruleset(fs: u64, net: u64, scoped: u64) -> Result<OwnedFd, Errno> {
    let attr = landlock_ruleset_attr {
        handled_access_fs: fs,
        handled_access_net: net,
        scoped,
    };
    // SAFETY: `attr` is a live `landlock_ruleset_attr` of the size passed; the kernel
    // only reads it, during the call.
    let fd = unsafe {
        raw_syscall(
            __NR_landlock_create_ruleset,
            [
                &raw const attr as usize,
                size_of::<landlock_ruleset_attr>(),
                0,
                0,
                0,
            ],
        )
    }?;
    // SAFETY: the kernel returned a new descriptor, which nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Allows `access` beneath the directory `parent` (or on the file `parent`), which may
/// be an `O_PATH` descriptor.
pub(crate) fn allow_beneath(
    ruleset: BorrowedFd<'_>,
    parent: BorrowedFd<'_>,
    access: u64,
) -> Result<(), Errno> {
    let rule = landlock_path_beneath_attr {
        allowed_access: access,
        parent_fd: parent.as_raw_fd(),
    };
    // SAFETY: a path-beneath rule is a `landlock_path_beneath_attr` (packed, as the
    // kernel reads it); the kernel takes its own reference to the file of `parent`.
    unsafe {
        add_rule(
            ruleset,
            landlock_rule_type::LANDLOCK_RULE_PATH_BENEATH,
            &rule,
        )
    }
}

/// Allows `access` (TCP bind or connect) on `port`.
pub(crate) fn allow_port(ruleset: BorrowedFd<'_>, port: u16, access: u64) -> Result<(), Errno> {
    let rule = landlock_net_port_attr {
        allowed_access: access,
        port: port.into(),
    };
    // SAFETY: a port rule is a `landlock_net_port_attr`.
    unsafe { add_rule(ruleset, landlock_rule_type::LANDLOCK_RULE_NET_PORT, &rule) }
}

/// `landlock_add_rule(ruleset, kind, rule, 0)`.
///
/// # Safety
/// `R` must be the struct the kernel reads for a rule of `kind`.
unsafe fn add_rule<R>(
    ruleset: BorrowedFd<'_>,
    kind: landlock_rule_type,
    rule: &R,
) -> Result<(), Errno> {
    // SAFETY: `rule` is live for the call, and of the type the kernel reads for `kind`
    // (the caller vouches); the kernel only reads it, during the call.
    unsafe {
        raw_syscall(
            __NR_landlock_add_rule,
            [
                ruleset.as_raw_fd() as usize,
                kind as usize,
                core::ptr::from_ref(rule) as usize,
                0,
                0,
            ],
        )
    }
    .map(drop)
}

/// Restricts the calling thread, and every process it forks or executes from now
/// on, to `ruleset`. Needs `no_new_privs` (or `CAP_SYS_ADMIN`).
pub(crate) fn restrict_self(ruleset: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: no pointer is passed.
    unsafe {
        raw_syscall(
            __NR_landlock_restrict_self,
            [ruleset.as_raw_fd() as usize, 0, 0, 0, 0],
        )
    }
    .map(drop)
}

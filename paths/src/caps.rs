//! The capabilities a table may keep (`caps [..]`), by the kernel's number: the names of
//! capabilities(7) without `CAP_`, in lower case. The macro checks the words of a
//! `caps` statement against them, and the runtime prints a table's with them.

/// Each capability's word, at the index of its number (`CAP_CHOWN` is 0).
pub const NAMES: [&str; 41] = [
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

/// The word that keeps every capability, those of kernels newer than this list too.
pub const ALL: &str = "all";

/// The number of the capability named `word`.
#[must_use]
pub fn number(word: &str) -> Option<u32> {
    NAMES
        .iter()
        .position(|name| *name == word)
        .and_then(|n| u32::try_from(n).ok())
}

/// The words of the capabilities `bits` keeps (bit `n` the one numbered `n`): [`ALL`]
/// for every bit, or each one's name in the order of their numbers.
///
/// ```
/// use mountns_paths::caps::words;
/// assert!(words(1 << 10 | 1).eq(["chown", "net_bind_service"]));
/// assert!(words(u64::MAX).eq(["all"]));
/// ```
pub fn words(bits: u64) -> impl Iterator<Item = &'static str> {
    let all = (bits == u64::MAX).then_some(ALL);
    let each = NAMES
        .iter()
        .zip(0..)
        .filter(move |&(_, number)| bits != u64::MAX && bits & (1 << number) != 0)
        .map(|(word, _)| *word);
    all.into_iter().chain(each)
}

#[cfg(test)]
mod tests {
    use super::{NAMES, number};

    #[test]
    fn numbers_are_the_kernels() {
        assert_eq!(number("chown"), Some(0));
        assert_eq!(number("sys_admin"), Some(21));
        assert_eq!(number("net_bind_service"), Some(10));
        assert_eq!(number("checkpoint_restore"), Some(40));
        assert_eq!(number("all"), None);
        assert_eq!(number("CAP_CHOWN"), None);
        let mut sorted = NAMES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), NAMES.len());
    }
}

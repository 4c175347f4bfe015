//! The hints of [`Error`]'s message: for a step and an errno that often mean the same
//! thing, what is likely wrong and what to do, after the errno's text.

use rustix::io::Errno;

use super::{Error, Step};

impl Error {
    /// Whether the source is a `param(NAME)` slot.
    fn is_slot(&self) -> bool {
        self.slot().is_some()
    }

    /// What is likely wrong, and what to do, for this step and errno.
    pub(super) fn hint(&self) -> Option<&'static str> {
        match (self.step, self.errno) {
            (Step::UserNamespace, Errno::INVAL) => Some(
                "the process has more than one thread; enter from a freshly forked child \
                 (Command::namespace) instead",
            ),
            (Step::UserNamespace, Errno::PERM | Errno::NOSPC | Errno::USERS) => Some(
                "this system refuses unprivileged user namespaces; allow them with \
                 sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 \
                 and kernel.apparmor_restrict_unprivileged_userns=0, or run as root \
                 (a process in a chroot is refused one whatever the sysctls)",
            ),
            (Step::PidNamespace, Errno::INVAL) => Some(
                "the table has a pid namespace (proc, or unshare [pid]), which only the \
                 caller's children can enter; run the program with CommandExt::namespace \
                 (or spawn_in, status_in, output_in), Namespace::exec or a launcher! binary, \
                 which fork the processes it needs",
            ),
            (Step::Session, Errno::PERM) => Some(
                "the process leads a process group (as a job of an interactive shell does), \
                 and setsid refuses a group leader; run the program with \
                 CommandExt::namespace, Namespace::exec or a launcher! binary, which fork a \
                 process of its own for it",
            ),
            (Step::Setgroups | Step::UidMap | Step::GidMap, Errno::XDEV) => {
                Some("/proc is not a procfs; refusing to write to it")
            }
            // A slot's value is the caller's to change, not the declaration.
            (Step::FileType, Errno::NOTDIR) if self.is_slot() => Some(
                "the value given for this source is a directory, and its target a file: give \
                 it the path of a file",
            ),
            (Step::FileType, Errno::ISDIR) if self.is_slot() => Some(
                "the value given for this source is a file, and its target a directory: give \
                 it the path of a directory",
            ),
            (Step::FileType, Errno::NOTDIR) => Some(
                "a directory cannot be bound on a file; declare the target with a trailing slash",
            ),
            (Step::FileType, Errno::ISDIR) => Some(
                "a file cannot be bound on a directory; declare the target without a trailing slash",
            ),
            (Step::Descriptor, Errno::NOTDIR) => Some(
                "without root, a descriptor's tree is cloned through a working directory, which \
                 the kernel carries into a new namespace, and a file cannot be one: give the \
                 file by its path (Params::set), or enter as root",
            ),
            (Step::Descriptor, Errno::INVAL) => Some(
                "the kernel clones only a mount of the caller's own mount namespace, and \
                 only a directory or file of one (not a pipe or socket); open the source in \
                 this namespace",
            ),
            (Step::Propagation, Errno::INVAL) => Some(
                "the root directory of this process is not a mount point (it is in a chroot); \
                 enter from a process whose root is a mount",
            ),
            (Step::Scratch, Errno::INVAL) => Some(
                "pivot_root refused the switch: the root is the initial ramfs (rootfs), which \
                 cannot be moved; enter from a system that switched to a real root",
            ),
            (Step::Tmpfs | Step::Upper, Errno::INVAL) => Some(
                "the kernel refused an option of this tmpfs: one it does not know, or, without \
                 root, a uid= or gid= other than the caller's own, the only ids its user \
                 namespace maps",
            ),
            (Step::Union | Step::UnionLegacy, Errno::INVAL) => {
                Some("overlayfs refused this union; the kernel log (dmesg) says why")
            }
            (Step::Proc, Errno::PERM) => Some(
                "the kernel mounts a procfs only from inside a pid namespace that the \
                 mounting user namespace owns (CommandExt::namespace and Namespace::exec make \
                 one for a table with proc; Namespace::enter cannot), and without root only \
                 while the host's /proc is fully visible (none of its files mounted over, as \
                 containers do)",
            ),
            (Step::Dev, Errno::NOSPC) => {
                Some("a table has at most 8 dev entries, or the tmpfs of one is full")
            }
            (Step::Node, Errno::EXIST) => Some(
                "dir and symlink make new paths only, and something is already there (in a \
                 layer of a union, or made by another entry)",
            ),
            (Step::Hidden, Errno::NAMETOOLONG) => Some(
                "a hidden path lies more than 128 directories deep, more than entering \
                 compares at once; assert one of the directories above it",
            ),
            (Step::UnionLegacy, Errno::TOOBIG) => Some(
                "the overlay options exceed a page, the most mount(2) takes; kernels from 6.8 \
                 take layers one at a time instead",
            ),
            _ => self.process_hint(),
        }
    }

    /// The hints of the steps that set up the program's process: its ids and
    /// privileges.
    fn process_hint(&self) -> Option<&'static str> {
        match (self.step, self.errno) {
            (Step::Ids, Errno::INVAL) => Some(
                "an id is -1 (4294967295), which means none, or there are more supplementary \
                 groups than the kernel takes (65536)",
            ),
            (Step::Chdir, Errno::NOENT | Errno::NOTDIR) => Some(
                "the directory to start in (chdir, or Filled::current_dir) must exist inside the \
                 new root: a directory target of the table, or a directory under one",
            ),
            (Step::Exec, Errno::TOOBIG) => Some(
                "the program's arguments and environment are more than the kernel takes (a \
                 quarter of the stack limit), or than the 4096 variables of a launcher's \
                 environment",
            ),
            (Step::Exec, Errno::INVAL) => {
                Some("the kernel refused the program's ELF headers (more than one interpreter)")
            }
            (Step::Ids, Errno::PERM) => Some(
                "switching to other ids needs root (CAP_SETUID and CAP_SETGID) in a namespace \
                 where they are mapped; as root, CommandExt::namespace_as makes a mount \
                 namespace only, where every id of the host is mapped, so any uid and gid \
                 can be chosen",
            ),
            (Step::Capabilities, Errno::PERM) => Some(
                "dropping capabilities needs CAP_SETPCAP, which the caller lacks (a container \
                 that dropped it, or securebits locked otherwise by a parent)",
            ),
            (Step::Keyring, Errno::DQUOT) => Some(
                "the user has as many keyrings as its quota allows \
                 (/proc/sys/kernel/keys/maxkeys)",
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_how_to_allow_user_namespaces() {
        for errno in [Errno::PERM, Errno::NOSPC] {
            let message = Error::new(Step::UserNamespace, errno).to_string();
            assert!(
                message.contains("kernel.unprivileged_userns_clone=1"),
                "{message}"
            );
            assert!(message.contains("user.max_user_namespaces"), "{message}");
            assert!(
                message.contains("apparmor_restrict_unprivileged_userns=0"),
                "{message}"
            );
            assert!(message.contains("in a chroot"), "{message}");
        }
        let message = Error::new(Step::UserNamespace, Errno::INVAL).to_string();
        assert!(message.contains("more than one thread"), "{message}");
        // Root's plain mount namespace has no such advice.
        let message = Error::new(Step::Unshare, Errno::INVAL).to_string();
        assert!(!message.contains(';'), "{message}");
    }

    /// Every step, for the tests that go through all hints.
    const STEPS: [Step; 39] = [
        Step::SetId,
        Step::Stack,
        Step::Params,
        Step::Unshare,
        Step::PidNamespace,
        Step::Fork,
        Step::DeathSignal,
        Step::UserNamespace,
        Step::Setgroups,
        Step::UidMap,
        Step::GidMap,
        Step::Propagation,
        Step::Scratch,
        Step::Skeleton,
        Step::Mountpoint,
        Step::Source,
        Step::FileType,
        Step::Bind,
        Step::ReadOnly,
        Step::Tmpfs,
        Step::Upper,
        Step::Union,
        Step::UnionLegacy,
        Step::Node,
        Step::Proc,
        Step::Dev,
        Step::Seal,
        Step::PivotRoot,
        Step::Detach,
        Step::Chdir,
        Step::Hostname,
        Step::Loopback,
        Step::Session,
        Step::Capabilities,
        Step::Keyring,
        Step::NoNewPrivs,
        Step::Seccomp,
        Step::Ids,
        Step::Exec,
    ];

    /// Each hint, whole: the step, the errno and the full message. A hint the code
    /// gives that is not here fails the test below, so every one is read in full.
    const HINTS: &[(Step, i32, &str)] = &[
        (
            Step::PidNamespace,
            22,
            "mountns: enter a pid namespace in this process: Invalid argument (os error 22); the \
             table has a pid namespace (proc, or unshare [pid]), which only the caller's children \
             can enter; run the program with CommandExt::namespace (or spawn_in, status_in, \
             output_in), Namespace::exec or a launcher! binary, which fork the processes it needs",
        ),
        (
            Step::UserNamespace,
            1,
            "mountns: create a user and mount namespace: Operation not permitted (os error 1); \
             this system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::UserNamespace,
            22,
            "mountns: create a user and mount namespace: Invalid argument (os error 22); the \
             process has more than one thread; enter from a freshly forked child \
             (Command::namespace) instead",
        ),
        (
            Step::UserNamespace,
            28,
            "mountns: create a user and mount namespace: No space left on device (os error 28); \
             this system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::UserNamespace,
            87,
            "mountns: create a user and mount namespace: Too many users (os error 87); this \
             system refuses unprivileged user namespaces; allow them with sysctl \
             kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0 and \
             kernel.apparmor_restrict_unprivileged_userns=0, or run as root (a process in a \
             chroot is refused one whatever the sysctls)",
        ),
        (
            Step::Setgroups,
            18,
            "mountns: write /proc/self/setgroups: Invalid cross-device link (os error 18); /proc \
             is not a procfs; refusing to write to it",
        ),
        (
            Step::UidMap,
            18,
            "mountns: write /proc/self/uid_map: Invalid cross-device link (os error 18); /proc is \
             not a procfs; refusing to write to it",
        ),
        (
            Step::GidMap,
            18,
            "mountns: write /proc/self/gid_map: Invalid cross-device link (os error 18); /proc is \
             not a procfs; refusing to write to it",
        ),
        (
            Step::Propagation,
            22,
            "mountns: make the mounts private: Invalid argument (os error 22); the root directory \
             of this process is not a mount point (it is in a chroot); enter from a process whose \
             root is a mount",
        ),
        (
            Step::Scratch,
            22,
            "mountns: prepare the scratch root: Invalid argument (os error 22); pivot_root \
             refused the switch: the root is the initial ramfs (rootfs), which cannot be moved; \
             enter from a system that switched to a real root",
        ),
        (
            Step::FileType,
            20,
            "mountns: compare source and mountpoint: Not a directory (os error 20); a directory \
             cannot be bound on a file; declare the target with a trailing slash",
        ),
        (
            Step::FileType,
            21,
            "mountns: compare source and mountpoint: Is a directory (os error 21); a file cannot \
             be bound on a directory; declare the target without a trailing slash",
        ),
        (
            Step::Tmpfs,
            22,
            "mountns: mount tmpfs: Invalid argument (os error 22); the kernel refused an option \
             of this tmpfs: one it does not know, or, without root, a uid= or gid= other than the \
             caller's own, the only ids its user namespace maps",
        ),
        (
            Step::Upper,
            22,
            "mountns: mount the upper tmpfs: Invalid argument (os error 22); the kernel refused \
             an option of this tmpfs: one it does not know, or, without root, a uid= or gid= \
             other than the caller's own, the only ids its user namespace maps",
        ),
        (
            Step::Union,
            22,
            "mountns: mount overlay: Invalid argument (os error 22); overlayfs refused this \
             union; the kernel log (dmesg) says why",
        ),
        (
            Step::UnionLegacy,
            7,
            "mountns: mount overlay with mount(2): Argument list too long (os error 7); the \
             overlay options exceed a page, the most mount(2) takes; kernels from 6.8 take layers \
             one at a time instead",
        ),
        (
            Step::UnionLegacy,
            22,
            "mountns: mount overlay with mount(2): Invalid argument (os error 22); overlayfs \
             refused this union; the kernel log (dmesg) says why",
        ),
        (
            Step::Node,
            17,
            "mountns: create: File exists (os error 17); dir and symlink make new paths only, and \
             something is already there (in a layer of a union, or made by another entry)",
        ),
        (
            Step::Proc,
            1,
            "mountns: mount proc: Operation not permitted (os error 1); the kernel mounts a \
             procfs only from inside a pid namespace that the mounting user namespace owns \
             (CommandExt::namespace and Namespace::exec make one for a table with proc; \
             Namespace::enter cannot), and without root only while the host's /proc is fully \
             visible (none of its files mounted over, as containers do)",
        ),
        (
            Step::Dev,
            28,
            "mountns: build /dev: No space left on device (os error 28); a table has at most 8 \
             dev entries, or the tmpfs of one is full",
        ),
        (
            Step::Chdir,
            2,
            "mountns: change directory: No such file or directory (os error 2); the directory to \
             start in (chdir, or Filled::current_dir) must exist inside the new root: a directory \
             target of the table, or a directory under one",
        ),
        (
            Step::Chdir,
            20,
            "mountns: change directory: Not a directory (os error 20); the directory to start in \
             (chdir, or Filled::current_dir) must exist inside the new root: a directory target \
             of the table, or a directory under one",
        ),
        (
            Step::Session,
            1,
            "mountns: start a new session: Operation not permitted (os error 1); the process \
             leads a process group (as a job of an interactive shell does), and setsid refuses a \
             group leader; run the program with CommandExt::namespace, Namespace::exec or a \
             launcher! binary, which fork a process of its own for it",
        ),
        (
            Step::Capabilities,
            1,
            "mountns: drop capabilities: Operation not permitted (os error 1); dropping \
             capabilities needs CAP_SETPCAP, which the caller lacks (a container that dropped it, \
             or securebits locked otherwise by a parent)",
        ),
        (
            Step::Keyring,
            122,
            "mountns: join a new session keyring: Disk quota exceeded (os error 122); the user \
             has as many keyrings as its quota allows (/proc/sys/kernel/keys/maxkeys)",
        ),
        (
            Step::Ids,
            1,
            "mountns: switch user and group ids: Operation not permitted (os error 1); switching \
             to other ids needs root (CAP_SETUID and CAP_SETGID) in a namespace where they are \
             mapped; as root, CommandExt::namespace_as makes a mount namespace only, where every \
             id of the host is mapped, so any uid and gid can be chosen",
        ),
        (
            Step::Ids,
            22,
            "mountns: switch user and group ids: Invalid argument (os error 22); an id is -1 \
             (4294967295), which means none, or there are more supplementary groups than the \
             kernel takes (65536)",
        ),
        (
            Step::Exec,
            7,
            "mountns: exec: Argument list too long (os error 7); the program's arguments and \
             environment are more than the kernel takes (a quarter of the stack limit), or than \
             the 4096 variables of a launcher's environment",
        ),
        (
            Step::Exec,
            22,
            "mountns: exec: Invalid argument (os error 22); the kernel refused the program's ELF \
             headers (more than one interpreter)",
        ),
    ];

    #[test]
    fn every_hint_says_a_whole_sentence() {
        let mut hinted = Vec::new();
        for step in STEPS {
            for code in 1..134 {
                let error = Error::new(step, Errno::from_raw_os_error(code));
                if error.hint().is_some() {
                    hinted.push((step, code, error.to_string()));
                }
            }
        }
        let expected: Vec<(Step, i32, String)> = HINTS
            .iter()
            .map(|&(step, code, message)| (step, code, message.to_owned()))
            .collect();
        assert_eq!(hinted, expected);
    }
}

//! The `const fn`s that the `namespace!` macro's output builds a table with, in
//! `static`s (`Namespace`, its mounts, skeleton and settings): free functions of the
//! crate's hidden `__private` module, not methods, so that the public types show
//! nothing of how they are made. Each builder takes what it adds to and returns it.

// The builders take the `Namespace` they add to by value and return it, as the
// initializer chains them; it is not `Copy` (a table is one `static`), and clippy does
// not count a struct update from it as consuming it.
#![allow(clippy::needless_pass_by_value)]

use core::ffi::CStr;

use super::{
    Caps, Env, Flags, Hidden, Identity, Kind, Layer, MadeIn, Mount, Mountpoint, Namespace, Param,
    Source, Tmpfs, Unshare, Upper,
};
use crate::policy::{Landlock, Limit};
use crate::sys::Instruction;

/// A table of `mounts`, created on `skeleton`, whose expanded sources are `sources`;
/// nothing else set (the terminal seccomp rule alone).
pub const fn namespace(
    mounts: &'static [Mount],
    skeleton: &'static [Mountpoint],
    sources: &'static [&'static [Source]],
) -> Namespace {
    Namespace {
        mounts,
        skeleton,
        made_parents: &[],
        sources,
        unshare: Unshare::NONE,
        hostname: None,
        new_session: false,
        as_pid_1: false,
        caps: Caps::NONE,
        identity: Identity::NONE,
        seccomp: &crate::terminal::TERMINAL_ONLY,
        hidden: &[],
        landlock: None,
        limits: &[],
        timeout: None,
        chdir: None,
        env: Env {
            clear: false,
            vars: &[],
        },
    }
}

/// The directory the program starts in (`chdir "/src";`).
pub const fn with_chdir(namespace: Namespace, chdir: Option<&'static CStr>) -> Namespace {
    Namespace { chdir, ..namespace }
}

/// The program's environment: `env clear;` drops the inherited one, `vars` are
/// `NAME=value` (`env "NAME" "value";`).
pub const fn with_env(
    namespace: Namespace,
    clear: bool,
    vars: &'static [&'static CStr],
) -> Namespace {
    Namespace {
        env: Env { clear, vars },
        ..namespace
    }
}

/// The table's seccomp program, compiled by the macro from its syscall statements
/// (and the terminal rule every table has): one program per target architecture, the
/// one of the architecture being built.
pub const fn with_seccomp(namespace: Namespace, seccomp: &'static [Instruction]) -> Namespace {
    Namespace {
        seccomp,
        ..namespace
    }
}

/// The classic BPF program installed when entering (after `no_new_privs`, last, in
/// the process that executes the program). For the tests, which run it in an
/// interpreter.
pub const fn seccomp(namespace: &Namespace) -> &'static [Instruction] {
    namespace.seccomp()
}

/// The host paths the table asserts hidden (`assert hidden [..];`, and `/dev` for
/// `assert no_dev;`), its own and its includes'.
pub const fn with_hidden(namespace: Namespace, hidden: &'static [Hidden]) -> Namespace {
    Namespace {
        hidden,
        ..namespace
    }
}

/// The table's process-wide settings: the namespaces it makes beside the mount
/// namespace, its host name, and whether its program starts a new session.
pub const fn with_settings(
    namespace: Namespace,
    unshare: Unshare,
    hostname: Option<&'static CStr>,
    new_session: bool,
) -> Namespace {
    Namespace {
        unshare,
        hostname,
        new_session,
        ..namespace
    }
}

/// The directories made inside a tmpfs of the table on the way to what is created
/// there whose mode or owner is not the default (0755, whoever enters), sorted by
/// their bytes.
pub const fn with_made_parents(
    namespace: Namespace,
    made_parents: &'static [Mountpoint],
) -> Namespace {
    Namespace {
        made_parents,
        ..namespace
    }
}

/// `as_pid_1;`: the program is pid 1 of the table's pid namespace, with no init of
/// mountns's above it.
pub const fn with_pid_1(namespace: Namespace, as_pid_1: bool) -> Namespace {
    Namespace {
        as_pid_1,
        ..namespace
    }
}

/// What the program keeps and who it is: the capabilities of `caps [..];` and the ids
/// of `uid N;`, `gid N;` and `groups [..];`.
pub const fn with_identity(
    namespace: Namespace,
    caps: Caps,
    uid: Option<u32>,
    gid: Option<u32>,
    groups: Option<&'static [u32]>,
) -> Namespace {
    Namespace {
        caps,
        identity: Identity { uid, gid, groups },
        ..namespace
    }
}

/// Landlock's rules (`landlock;`, with `connect [..];` and `bind_ports [..];`).
pub const fn with_landlock(namespace: Namespace, landlock: Landlock) -> Namespace {
    Namespace {
        landlock: Some(landlock),
        ..namespace
    }
}

/// The resource limits (`limit [..];`), one entry per resource.
pub const fn with_limits(namespace: Namespace, limits: &'static [Limit]) -> Namespace {
    Namespace {
        limits,
        ..namespace
    }
}

/// The time limit in seconds (`timeout(N);`), which needs a pid namespace: its pid 1
/// ends the program and everything it started.
pub const fn with_timeout(namespace: Namespace, seconds: u32) -> Namespace {
    Namespace {
        timeout: Some(seconds),
        unshare: namespace.unshare.union(Unshare::PID),
        ..namespace
    }
}

/// Every mountpoint and its ancestors, parents first, relative to the new root: what
/// the runtime creates in the fresh root before mounting anything. For the tests.
pub const fn skeleton(namespace: &Namespace) -> &'static [Mountpoint] {
    namespace.skeleton()
}

/// Whether a source of the table is a `param(NAME)` slot, filled only when entering:
/// `launcher!` refuses such a table at compile time, since nothing in its binary could
/// fill the slot.
pub const fn has_slots(namespace: &Namespace) -> bool {
    let mut i = 0;
    while i < namespace.mounts.len() {
        match namespace.mounts[i].kind {
            Kind::Bind {
                source: Source::Slot(_),
            }
            | Kind::FileParam { .. } => return true,
            Kind::Union { lowers, upper } => {
                let mut j = 0;
                while j < lowers.len() {
                    if let Source::Slot(_) = lowers[j] {
                        return true;
                    }
                    j += 1;
                }
                if let Some(upper) = upper
                    && let Some((Source::Slot(_), _) | (_, Source::Slot(_))) = upper.host()
                {
                    return true;
                }
            }
            Kind::Bind { .. }
            | Kind::Tmpfs(_)
            | Kind::Proc
            | Kind::Dev
            | Kind::File { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => {}
        }
        i += 1;
    }
    false
}

/// The paths of the `index`th source of the declaration that was not a string literal
/// (a `const`, `env!(..)`, a package and its inputs, ...). Lets another crate include
/// this namespace: it reads the paths here instead of re-evaluating the expression.
pub const fn source(namespace: &Namespace, index: usize) -> &'static [Source] {
    namespace.sources[index]
}

/// Capabilities from their raw bits: bit `n` keeps the capability numbered `n`.
pub const fn caps(bits: u64) -> Caps {
    Caps(bits)
}

/// A directory (`dir`) or empty file of the skeleton at `path`, made 0755 or 0644.
pub const fn mountpoint(path: &'static CStr, dir: bool) -> Mountpoint {
    Mountpoint {
        path,
        dir,
        link: None,
        mode: if dir { 0o755 } else { 0o644 },
        program: false,
    }
}

/// A symbolic link of the skeleton (`symlink` in the new root, or in the lowest layer
/// of a union on `/`), with its text.
pub const fn link(path: &'static CStr, text: &'static CStr) -> Mountpoint {
    Mountpoint {
        path,
        dir: false,
        link: Some(text),
        mode: 0o777,
        program: false,
    }
}

/// Made with `mode` (`0o7777` at most), and, with `program`, given to the program's
/// user when root enters to run it as another.
pub const fn made_as(mountpoint: Mountpoint, mode: u32, program: bool) -> Mountpoint {
    Mountpoint {
        mode: (mode & 0o7777) as u16,
        program,
        ..mountpoint
    }
}

/// A tmpfs option: `key` or `key=value`.
pub const fn param(key: &'static CStr, value: Option<&'static CStr>) -> Param {
    Param { key, value }
}

/// A tmpfs's options, as written and split.
pub const fn tmpfs(options: &'static CStr, params: &'static [Param]) -> Tmpfs {
    Tmpfs { options, params }
}

/// The upper tmpfs of the table's `index`th writable union.
pub const fn upper(tmpfs: Tmpfs, index: u32) -> Upper {
    Upper {
        layer: Layer::Tmpfs(tmpfs),
        index,
    }
}

/// Upper and work directories of the host (each a path, or a slot).
pub const fn host_upper(upper: Source, work: Source) -> Upper {
    Upper {
        layer: Layer::Host { upper, work },
        index: 0,
    }
}

/// Which writable union of the table `upper` is (0, 1, ...): names its scratch
/// directory outside the new root. For the tests.
pub const fn upper_index(upper: &Upper) -> u32 {
    upper.index()
}

/// What a source expanded at compile time (a package and its inputs) mounts: one layer
/// alone is a bind, more (or an upper) a union.
pub const fn layers(lowers: &'static [Source], upper: Option<Upper>) -> Kind {
    match (lowers, upper) {
        ([source], None) => Kind::Bind { source: *source },
        _ => Kind::Union { lowers, upper },
    }
}

/// A row of the table in one call, as the macro writes each of a table's rows (a
/// table may hold thousands): its target, what mounts it, and its flags, whether its
/// target is a directory and where its mountpoint is made, in one number
/// ([`mountns_paths::words::row_bits`]).
pub const fn row(target: &'static CStr, bits: u32, kind: Kind) -> Mount {
    let (flags, dir, made_in) = mountns_paths::words::row_parts(bits);
    Mount {
        target,
        dir,
        flags: Flags(flags),
        kind,
        // The order of `mountns_paths::words::MADE_IN` (a test checks the names).
        made_in: match made_in {
            0 => MadeIn::Skeleton,
            1 => MadeIn::Tmpfs,
            2 => MadeIn::Dev,
            _ => MadeIn::Upper,
        },
        mode: None,
    }
}

/// A bind of a host path, the most common row: [`row`] of a `Kind::Bind`.
pub const fn host(target: &'static CStr, bits: u32, source: &'static CStr) -> Mount {
    row(
        target,
        bits,
        Kind::Bind {
            source: Source::Host(source),
        },
    )
}

/// A file target made with the skeleton, for tables written by hand (the tests);
/// [`dir`] and [`made_in`] say otherwise.
pub const fn mount(target: &'static CStr, flags: Flags, kind: Kind) -> Mount {
    Mount {
        target,
        dir: false,
        flags,
        kind,
        made_in: MadeIn::Skeleton,
        mode: None,
    }
}

/// Where the mountpoint is made.
pub const fn made_in(mount: Mount, made_in: MadeIn) -> Mount {
    Mount { made_in, ..mount }
}

/// Whether the target is a directory (the macro's rows say it unless only a constant
/// tells: a union of constants declared on a file is one when it has more than one
/// layer).
pub const fn dir(mount: Mount, dir: bool) -> Mount {
    Mount { dir, ..mount }
}

/// The mode of a `dir` or `file`, declared with `mode(..)` (`0o7777` at most).
pub const fn with_mode(mount: Mount, mode: u32) -> Mount {
    Mount {
        mode: Some((mode & 0o7777) as u16),
        ..mount
    }
}

/// A host path a table asserts hidden, and the assertion that says so.
pub const fn hidden(path: &'static CStr, assertion: &'static CStr) -> Hidden {
    Hidden { path, assertion }
}

#[cfg(test)]
mod tests {
    use mountns_paths::words::{FLAGS, MADE_IN, row_bits};

    use super::{Kind, row};

    #[test]
    fn a_row_reads_the_macro_s_bits() {
        for ((position, name), flags) in MADE_IN.iter().enumerate().zip((0..1 << FLAGS.len()).rev())
        {
            for dir in [false, true] {
                let bits = row_bits(flags, dir, position).unwrap();
                let mount = row(c"/a", bits, Kind::Dir);
                assert_eq!(format!("{:?}", mount.made_in), *name);
                assert_eq!((mount.flags.bits(), mount.dir), (flags, dir));
            }
        }
    }
}

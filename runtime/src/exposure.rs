//! What a table exposes of the host, as a text that a reviewer can diff in a pull
//! request: [`Namespace::exposure`].

use core::fmt;

use crate::enter::dev::NODES;
use crate::table::{
    Caps, Flags, Kind, Mount, Namespace, Source, SourceField, Tmpfs, Unshare, field, write_options,
};

/// What a table exposes of the host: [`Namespace::exposure`]. Its `Display` is the
/// report.
#[derive(Clone, Copy, Debug)]
pub struct Exposure<'a> {
    ns: &'a Namespace,
}

impl Namespace {
    /// What this table exposes of the host, for review: its `Display` lists the host
    /// paths visible inside and how (`ro` or `rw`, `dev` or `nodev`, `exec` or
    /// `noexec`), the places the program can write (and whether the writes reach the
    /// host), the fresh kernel filesystems, the namespaces it shares with the host, the
    /// terminal, and the paths it asserts hidden.
    ///
    /// The text is stable: one fact a line, in the table's order (targets sorted,
    /// parents first; a union's layers top first), paths escaped as in the table's
    /// `Display`, so that a test can compare it with a file checked into the
    /// repository and a change to the table shows up as a diff of what it exposes.
    ///
    /// ```
    /// mountns::namespace! {
    ///     static NS = { bind ro "/usr/"; bind "/tmp/" tmpfs("size=1M"); unshare [net]; };
    /// }
    /// let report = NS.exposure().to_string();
    /// assert!(report.contains("\n  /usr on /usr/: ro, nodev, exec\n"));
    /// assert!(report.contains("\n  /tmp/: a tmpfs (size=1M), in memory\n"));
    /// assert!(report.contains("\nnamespaces shared with the host: pid, ipc, uts, cgroup, time\n"));
    /// ```
    pub const fn exposure(&self) -> Exposure<'_> {
        Exposure { ns: self }
    }
}

/// A target as the table's `Display` writes it: a directory with its trailing slash.
struct Target<'a>(&'a Mount);

impl fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slash = if self.0.is_dir() && self.0.target().to_bytes() != b"/" {
            "/"
        } else {
            ""
        };
        write!(f, "{}{slash}", field(self.0.target()))
    }
}

/// One host path seen inside: `  /usr on /usr/: ro, nodev, exec`.
fn host_line(
    f: &mut fmt::Formatter<'_>,
    source: Source,
    target: fmt::Arguments<'_>,
    flags: Flags,
    note: fmt::Arguments<'_>,
) -> fmt::Result {
    let source = SourceField {
        source,
        option: false,
    };
    let ro = if flags.is_read_only() { "ro" } else { "rw" };
    let dev = if flags.is_dev() { "dev" } else { "nodev" };
    let exec = if flags.is_noexec() { "noexec" } else { "exec" };
    writeln!(f, "  {source} on {target}: {ro}, {dev}, {exec}{note}")
}

impl fmt::Display for Exposure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mounts = self.ns.mounts();
        host_paths(f, mounts)?;
        writable_places(f, mounts)?;
        fresh_filesystems(f, mounts)?;
        process(f, self.ns)
    }
}

/// A section: its title, then the lines `lines` writes for each mount (whether it
/// wrote any), or `none`.
fn section(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    mounts: &[Mount],
    lines: impl Fn(&mut fmt::Formatter<'_>, &Mount, Target<'_>) -> Result<bool, fmt::Error>,
) -> fmt::Result {
    writeln!(f, "{title}:")?;
    let mut any = false;
    for mount in mounts {
        any |= lines(f, mount, Target(mount))?;
    }
    if !any {
        writeln!(f, "  none")?;
    }
    Ok(())
}

/// The host paths visible inside, and how.
fn host_paths(f: &mut fmt::Formatter<'_>, mounts: &[Mount]) -> fmt::Result {
    let title = "host paths visible inside (every mount nosuid)";
    section(f, title, mounts, |f, mount, target| {
        match mount.kind() {
            Kind::Bind { source } => {
                let flags = mount.flags();
                host_line(f, source, format_args!("{target}"), flags, format_args!(""))?;
            }
            Kind::Union { lowers, upper } => {
                let writes = match upper {
                    Some(upper) if upper.host().is_some() => ", whose writes go to the host",
                    Some(_) => ", whose writes go to its tmpfs",
                    None => "",
                };
                // overlayfs never writes to a layer.
                let flags = mount.flags().union(Flags::READ_ONLY);
                for lower in lowers {
                    host_line(
                        f,
                        *lower,
                        format_args!("{target}"),
                        flags,
                        format_args!("; a layer of the union on {target}{writes}"),
                    )?;
                }
            }
            Kind::Dev => {
                let flags = Flags::DEV.union(Flags::NOEXEC);
                for (name, host) in NODES {
                    host_line(
                        f,
                        Source::Host(host),
                        format_args!("{target}{}", field(name)),
                        flags,
                        format_args!("; a node in the fresh /dev on {target}"),
                    )?;
                }
            }
            Kind::Tmpfs(_)
            | Kind::Proc
            | Kind::File { .. }
            | Kind::FileParam { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => {
                return Ok(false);
            }
        }
        Ok(true)
    })
}

/// Where the program can write, and whether it reaches the host.
fn writable_places(f: &mut fmt::Formatter<'_>, mounts: &[Mount]) -> fmt::Result {
    section(f, "writable places", mounts, |f, mount, target| {
        match mount.kind() {
            Kind::Tmpfs(tmpfs) => {
                write!(f, "  {target}: a tmpfs (")?;
                write_tmpfs_options(f, tmpfs)?;
                writeln!(f, "), in memory")?;
            }
            Kind::Union {
                upper: Some(upper), ..
            } => match (upper.tmpfs(), upper.host()) {
                (Some(tmpfs), _) => {
                    write!(f, "  {target}: a union whose writes go to its tmpfs (")?;
                    write_tmpfs_options(f, tmpfs)?;
                    writeln!(f, "), in memory")?;
                }
                (None, Some((upper, _))) => {
                    let upper = SourceField {
                        source: upper,
                        option: false,
                    };
                    writeln!(
                        f,
                        "  {target}: a union whose writes go to the host's {upper}; they reach the host"
                    )?;
                }
                (None, None) => {}
            },
            Kind::File { .. } | Kind::FileParam { .. } if mount.flags().is_rw() => {
                writeln!(f, "  {target}: a writable copy of its content, in memory")?;
            }
            Kind::Bind { source } if !mount.flags().is_read_only() => {
                let source = SourceField {
                    source,
                    option: false,
                };
                writeln!(f, "  {target}: the host's {source}; writes reach the host")?;
            }
            Kind::Dev => {
                writeln!(f, "  {target}pts/: a devpts instance of its own")?;
                writeln!(f, "  {target}shm/: a tmpfs of its own, in memory")?;
            }
            Kind::Bind { .. }
            | Kind::Union { upper: None, .. }
            | Kind::Proc
            | Kind::File { .. }
            | Kind::FileParam { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => return Ok(false),
        }
        Ok(true)
    })
}

/// The fresh procfs and `/dev` of the table.
fn fresh_filesystems(f: &mut fmt::Formatter<'_>, mounts: &[Mount]) -> fmt::Result {
    section(f, "fresh kernel filesystems", mounts, |f, mount, target| {
        match mount.kind() {
            Kind::Proc => writeln!(
                f,
                "  {target}: a procfs of the table's pid namespace; sys, sysrq-trigger, irq and bus read-only"
            )?,
            Kind::Dev => writeln!(
                f,
                "  {target}: a read-only tmpfs with the host's null, zero, full, random, urandom and tty"
            )?,
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// The namespaces, the terminal and the hidden paths.
fn process(f: &mut fmt::Formatter<'_>, ns: &Namespace) -> fmt::Result {
    let unshare = ns.unshare();
    let (own, shared): (Words, Words) = (Words(unshare, true), Words(unshare, false));
    writeln!(f, "namespaces of its own: mount{own}")?;
    writeln!(f, "namespaces shared with the host: {shared}time")?;
    writeln!(
        f,
        "user namespace: its own when entered without root, mapping only the caller's ids; the host's as root"
    )?;
    if ns.new_session() {
        writeln!(f, "terminal: none (a new session)")?;
    } else {
        writeln!(
            f,
            "terminal: the caller's, with ioctl TIOCSTI, TIOCLINUX and TIOCSETD refused"
        )?;
    }
    if ns.caps() == Caps::NONE {
        writeln!(f, "capabilities: none, as root too (securebits locked)")?;
    } else {
        writeln!(f, "capabilities kept: {}", ns.caps())?;
    }
    writeln!(f, "ids inside: uid {}, gid {}", Id(ns.uid()), Id(ns.gid()))?;
    if let Some(groups) = ns.groups() {
        f.write_str("supplementary groups:")?;
        if groups.is_empty() {
            f.write_str(" none")?;
        }
        for gid in groups {
            write!(f, " {gid}")?;
        }
        writeln!(f)?;
    }
    writeln!(
        f,
        "syscall filter: {} instructions, the terminal rule and the table's policy",
        ns.seccomp().len()
    )?;
    f.write_str("asserted hidden:")?;
    if ns.hidden().is_empty() {
        f.write_str(" none")?;
    }
    for hidden in ns.hidden() {
        write!(f, " {}", field(hidden.path()))?;
        if hidden.assertion() == c"no_dev" {
            f.write_str(" (no_dev)")?;
        }
    }
    writeln!(f)
}

/// A tmpfs's options, or `no options`.
fn write_tmpfs_options(f: &mut fmt::Formatter<'_>, tmpfs: Tmpfs) -> fmt::Result {
    if tmpfs.params().is_empty() {
        f.write_str("no options")
    } else {
        write_options(f, tmpfs, "")
    }
}

/// A user or group id the table chooses, or the caller's.
struct Id(Option<u32>);

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, "{id}"),
            None => f.write_str("the caller's"),
        }
    }
}

/// The words of the namespaces in (`true`) or out of an `Unshare`, each after `, `
/// (own) or before `, ` (shared).
struct Words(Unshare, bool);

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (namespace, word) in Unshare::ALL {
            match (self.0.contains(*namespace), self.1) {
                (true, true) => write!(f, ", {word}")?,
                (false, false) => write!(f, "{word}, ")?,
                _ => {}
            }
        }
        Ok(())
    }
}

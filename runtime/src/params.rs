//! Sources chosen at run time: a declaration's `param(NAME)` is a slot in the table
//! ([`Source::Slot`], by its name), filled when entering from [`Params`].
//! The table's shape stays fixed at compile time; only which host directory a slot
//! binds is chosen by the caller.

use core::ffi::CStr;
#[cfg(feature = "std")]
use std::ffi::CString;
#[cfg(feature = "std")]
use std::os::unix::ffi::OsStrExt as _;
#[cfg(feature = "std")]
use std::path::Path;
#[cfg(feature = "std")]
use std::sync::Arc;

use rustix::fd::BorrowedFd;
#[cfg(feature = "std")]
use rustix::fd::{AsFd as _, OwnedFd};
use rustix::io::Errno;

use crate::error::{Context, Detail, Entry, Error, Reason, Step, Wanted};
use crate::table::{Kind, Namespace, Source};

/// What a slot is filled with.
#[derive(Clone, Copy, Debug)]
// Without std only `NoValues` fills slots, with none.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) enum Value<'a> {
    /// A host path, looked up as the host resolves it (`Params::set`).
    Path(&'a CStr),
    /// An open descriptor: the directory or file it refers to is the source, cloned
    /// from the descriptor itself (`Params::set_fd`).
    Fd(BorrowedFd<'a>),
    /// A file's bytes (`Params::set_content`, `Params::set_content_fd`).
    Content(&'a [u8]),
}

/// Where entering finds the values of the slots: [`Params`] with std, or none.
pub(crate) trait Values {
    /// The value set for the slot `name`, or why there is none: unset
    /// ([`Reason::Unfilled`]), or a path that holds a NUL ([`Reason::NotAbsolute`]).
    fn value(&self, name: &CStr) -> Result<Value<'_>, Reason>;

    /// Calls `each` with the name of every value set, in order.
    fn names(&self, each: &mut dyn FnMut(&CStr));
}

/// The values of a plain `enter`: none.
pub(crate) struct NoValues;

impl Values for NoValues {
    fn value(&self, _: &CStr) -> Result<Value<'_>, Reason> {
        Err(Reason::Unfilled)
    }

    fn names(&self, _: &mut dyn FnMut(&CStr)) {}
}

/// The host path `source` stands for: itself, or the path its slot was set to (checked
/// by [`check`] before anything was mounted). A slot set to a descriptor has no path
/// (EINVAL): its tree was cloned from the descriptor before unsharing.
pub(crate) fn resolve(values: &dyn Values, source: Source) -> Result<&CStr, Errno> {
    match source {
        Source::Host(path) => Ok(path),
        Source::Slot(name) => match values.value(name) {
            Ok(Value::Path(path)) => Ok(path),
            _ => Err(Errno::INVAL),
        },
    }
}

/// Each host source of `ns` (a bind's source, a union's layers), with the table entry
/// that an error about it names.
pub(crate) fn sources(ns: &Namespace) -> impl Iterator<Item = (Context, Source)> {
    ns.mounts().iter().flat_map(|mount| {
        let entry = match mount.kind() {
            Kind::Union { .. } => Entry::Union,
            _ => Entry::Bind,
        };
        let context = Context::new(entry, mount.target());
        // A persistent union's upper and work directories are the host's too.
        let uppers = match mount.kind() {
            Kind::Union {
                upper: Some(upper), ..
            } => upper.host(),
            _ => None,
        };
        mount
            .host_sources()
            .iter()
            .copied()
            .chain(uppers.into_iter().flat_map(|(upper, work)| [upper, work]))
            .map(move |source| (context.with_source(source), source))
    })
}

/// Fails unless every slot of `ns` has a value of the kind it takes: a source an
/// absolute path or a descriptor, an upper or work directory a path, a file's content
/// bytes or a descriptor to read them from. Allocates nothing.
pub(crate) fn check(values: &dyn Values, ns: &'static Namespace) -> Result<(), Error> {
    for mount in ns.mounts() {
        let target = mount.target();
        match mount.kind() {
            Kind::Bind { source } => {
                let context = Context::new(Entry::Bind, target);
                check_slot(values, ns, context, source, Wanted::PathOrFd)?;
            }
            Kind::Union { lowers, upper } => {
                let context = Context::new(Entry::Union, target);
                for &lower in lowers {
                    check_slot(values, ns, context, lower, Wanted::PathOrFd)?;
                }
                if let Some((upper, work)) = upper.and_then(|upper| upper.host()) {
                    check_slot(values, ns, context, upper, Wanted::Path)?;
                    check_slot(values, ns, context, work, Wanted::Path)?;
                }
            }
            Kind::FileParam { name } => {
                let context = Context::new(Entry::File, target);
                check_slot(values, ns, context, Source::Slot(name), Wanted::Content)?;
            }
            Kind::Tmpfs(_)
            | Kind::Proc
            | Kind::Dev
            | Kind::File { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => {}
        }
    }
    Ok(())
}

/// Fails unless `source`, if it is a slot, has a value of the kind `wanted`.
fn check_slot(
    values: &dyn Values,
    ns: &'static Namespace,
    context: Context,
    source: Source,
    wanted: Wanted,
) -> Result<(), Error> {
    let Source::Slot(name) = source else {
        return Ok(());
    };
    let error = context.with_source(source).fail(Step::Params)(Errno::INVAL);
    let reason = match (values.value(name), wanted) {
        (Ok(Value::Path(path)), Wanted::Path | Wanted::PathOrFd) => {
            if path.to_bytes().first() == Some(&b'/') {
                return Ok(());
            }
            return Err(error
                .because(Reason::NotAbsolute)
                .with_text(path.to_bytes()));
        }
        (Ok(Value::Fd(_)), Wanted::PathOrFd) | (Ok(Value::Content(_)), Wanted::Content) => {
            return Ok(());
        }
        (Err(Reason::Unfilled), Wanted::Path | Wanted::PathOrFd) => {
            return Err(error
                .because(Reason::Unfilled)
                .with_detail(given(values, ns)));
        }
        (Err(Reason::Unfilled) | Ok(_), wanted) => Reason::Wants(wanted),
        (Err(reason), _) => reason,
    };
    Err(error.because(reason))
}

/// What an unfilled slot's error says beside it: the names given that are no slot of
/// `ns` (a misspelt one), then the table's slots, each once:
/// `PROJCT\0PROJECT, DATA` (a NUL between the two lists; either may be empty).
fn given(values: &dyn Values, ns: &'static Namespace) -> Detail {
    let mut detail = Detail::NONE;
    let mut first = true;
    values.names(&mut |name| {
        if !slots(ns).any(|slot| slot == name) {
            if !first {
                detail.push(b", ");
            }
            detail.push(name.to_bytes());
            first = false;
        }
    });
    detail.push(b"\0");
    for (i, slot) in slots(ns).enumerate() {
        if slots(ns).take(i).all(|earlier| earlier != slot) {
            if i > 0 {
                detail.push(b", ");
            }
            detail.push(slot.to_bytes());
        }
    }
    detail
}

/// The names of the slots of `ns`, in table order, a name as often as it is used:
/// sources, upper and work directories, files' contents.
fn slots(ns: &'static Namespace) -> impl Iterator<Item = &'static CStr> {
    let contents = ns.mounts().iter().filter_map(|mount| match mount.kind() {
        Kind::FileParam { name } => Some(name),
        _ => None,
    });
    let sources = sources(ns).filter_map(|(_, source)| match source {
        Source::Slot(name) => Some(name),
        Source::Host(_) => None,
    });
    sources.chain(contents)
}

/// Fills the value of a slot into an error about it: its source is a `param(NAME)`
/// and `values` has a value for it.
pub(crate) fn with_value(error: Error, values: &dyn Values) -> Error {
    match error.slot() {
        Some(name) => match values.value(name) {
            Ok(Value::Path(path)) => error.with_text(path.to_bytes()),
            Ok(_) | Err(_) => error,
        },
        None => error,
    }
}

/// One slot's value, as [`Params`] keeps it.
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
enum Owned {
    /// A path; `None` if it held a NUL byte (refused when entering, like a relative one).
    Path(Option<CString>),
    Fd(Arc<OwnedFd>),
    Content(Arc<[u8]>),
}

#[cfg(feature = "std")]
impl PartialEq for Owned {
    /// Paths and contents by value, descriptors by identity (the same `set_fd`).
    fn eq(&self, other: &Owned) -> bool {
        match (self, other) {
            (Owned::Path(a), Owned::Path(b)) => a == b,
            (Owned::Content(a), Owned::Content(b)) => a == b,
            (Owned::Fd(a), Owned::Fd(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[cfg(feature = "std")]
impl Eq for Owned {}

/// Values for the `param(NAME)` slots of a namespace, by name: a host path or an open
/// descriptor for a source, a host path for an upper or work directory, bytes or a
/// descriptor to read them from for a `file`.
///
/// ```
/// let params = mountns::Params::new()
///     .set("PROJECT", "/home/me/project")
///     .set_content("PASSWD", "me:x:1000:1000::/home/me:/bin/sh\n");
/// assert_eq!(params.get("PROJECT"), Some(&b"/home/me/project"[..]));
/// ```
///
/// A descriptor given to [`Params::set_fd`] is kept open here, made close-on-exec so
/// that the program never inherits it, and closed when the last clone of these
/// `Params` drops.
#[cfg(feature = "std")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: Vec<(CString, Owned)>,
}

#[cfg(feature = "std")]
impl Params {
    /// No values.
    pub const fn new() -> Params {
        Params { values: Vec::new() }
    }

    /// Sets the slot `name` to `value`, replacing what it was set to. A name with a NUL
    /// can never match a slot: dropped.
    fn put(mut self, name: &str, value: Owned) -> Params {
        if let Ok(name) = CString::new(name) {
            self.values.retain(|(old, _)| *old != name);
            self.values.push((name, value));
        }
        self
    }

    /// Sets the slot `name` to the host path `value`, which must be absolute (checked
    /// when entering, before anything is mounted). Setting a name again replaces it.
    #[must_use]
    pub fn set(self, name: &str, value: impl AsRef<Path>) -> Params {
        let value = CString::new(value.as_ref().as_os_str().as_bytes()).ok();
        self.put(name, Owned::Path(value))
    }

    /// Sets the source slot `name` to the directory or file that `fd` refers to, as
    /// bubblewrap's `--bind-fd` does: the tree mounted is a clone of the descriptor's
    /// own object, never a path looked up again (an `O_PATH` descriptor will do). `fd`
    /// is made close-on-exec. Not for an upper or work directory, which overlayfs needs
    /// on one mount: give those as paths.
    #[must_use]
    pub fn set_fd(self, name: &str, fd: impl Into<OwnedFd>) -> Params {
        self.put(name, Owned::Fd(Arc::new(cloexec(fd.into()))))
    }

    /// Sets the `file` slot `name` (`file "/etc/passwd" param(NAME);`) to `content`.
    #[must_use]
    pub fn set_content(self, name: &str, content: impl AsRef<[u8]>) -> Params {
        self.put(name, Owned::Content(Arc::from(content.as_ref())))
    }

    /// Sets the `file` slot `name` to what `fd` holds from its offset to its end, as
    /// bubblewrap's `--bind-data FD` and `--file FD` do: a pipe, a file, a memfd. It is
    /// read here, now, and `fd` closed: a child reading it while entering would hold a
    /// copy of every descriptor of the caller, a pipe's write end included, and wait
    /// for an end that never comes. A pipe is read until all its writers close it.
    pub fn set_content_fd(self, name: &str, fd: impl Into<OwnedFd>) -> std::io::Result<Params> {
        use std::io::Read as _;
        let mut content = Vec::new();
        std::fs::File::from(fd.into()).read_to_end(&mut content)?;
        Ok(self.put(name, Owned::Content(Arc::from(content))))
    }

    /// The path `name` is set to, if it is set to one (free of NUL bytes).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|(key, _)| key.to_bytes() == name.as_bytes())
            .and_then(|(_, value)| match value {
                Owned::Path(path) => path.as_deref().map(CStr::to_bytes),
                _ => None,
            })
    }
}

/// `fd`, close-on-exec: what the caller hands to a slot never reaches the program.
#[cfg(feature = "std")]
fn cloexec(fd: OwnedFd) -> OwnedFd {
    // An fd that refuses (none does) is left as it is; entering never passes it on.
    let _ = rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC);
    fd
}

#[cfg(feature = "std")]
impl Values for Params {
    fn value(&self, name: &CStr) -> Result<Value<'_>, Reason> {
        match self.values.iter().find(|(key, _)| key.as_c_str() == name) {
            None => Err(Reason::Unfilled),
            Some((_, Owned::Path(path))) => {
                path.as_deref().map(Value::Path).ok_or(Reason::NotAbsolute)
            }
            Some((_, Owned::Fd(fd))) => Ok(Value::Fd(fd.as_fd())),
            Some((_, Owned::Content(bytes))) => Ok(Value::Content(bytes)),
        }
    }

    fn names(&self, each: &mut dyn FnMut(&CStr)) {
        for (name, _) in &self.values {
            each(name);
        }
    }
}

/// A namespace with values for its `param(NAME)` sources: what
/// [`Namespace::with`] makes, and what the [`CommandExt`](crate::CommandExt) methods
/// and [`Filled::enter`] take. A `&'static Namespace` converts into one with no
/// values, without allocating.
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct Filled {
    pub(crate) ns: &'static Namespace,
    pub(crate) params: Params,
    /// The directory to start in, inside, chosen at run time; a value with a NUL is
    /// kept as an empty one, which entering refuses.
    pub(crate) current_dir: Option<CString>,
}

#[cfg(feature = "std")]
impl Namespace {
    /// This namespace with `params` for its `param(NAME)` sources.
    ///
    /// ```no_run
    /// mountns::namespace! {
    ///     static BUILD = {
    ///         include mountns::MINIMAL;
    ///         bind ro ["/usr/", "/bin/", "/lib/", "/lib64/", "/etc/alternatives/"];
    ///         bind "/tmp/" tmpfs("size=100M");
    ///         bind "/src/" [param(PROJECT), tmpfs("size=100M")];
    ///         chdir "/src";   // inside: `Command::current_dir` would look on the host
    ///     };
    /// }
    /// use mountns::{CommandExt as _, Params};
    /// let project = std::env::current_dir()?;
    /// let params = Params::new().set("PROJECT", &project);
    /// std::process::Command::new("/usr/bin/make").status_in(BUILD.with(params))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with(&'static self, params: Params) -> Filled {
        Filled {
            ns: self,
            params,
            current_dir: None,
        }
    }
}

#[cfg(feature = "std")]
impl From<&'static Namespace> for Filled {
    fn from(ns: &'static Namespace) -> Filled {
        Filled {
            ns,
            params: Params::new(),
            current_dir: None,
        }
    }
}

#[cfg(feature = "std")]
impl Filled {
    /// The namespace.
    pub fn namespace(&self) -> &'static Namespace {
        self.ns
    }

    /// The values.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Starts the program in `dir`, a directory inside the new root, in place of the
    /// table's `chdir` (or of the caller's working directory). Entering fails
    /// ([`Step::Chdir`], naming it) if it is not there.
    ///
    /// `Command::current_dir` cannot do this: std changes to it on the host, before
    /// entering, and fails if the host has no such directory.
    ///
    /// ```no_run
    /// # mountns::namespace! { static BUILD = { bind "/src/" [param(PROJECT), tmpfs]; }; }
    /// use mountns::{CommandExt as _, Params};
    /// let params = Params::new().set("PROJECT", std::env::current_dir()?);
    /// std::process::Command::new("/usr/bin/make")
    ///     .status_in(BUILD.with(params).current_dir("/src"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Filled {
        let bytes = dir.as_ref().as_os_str().as_bytes();
        self.current_dir = Some(CString::new(bytes).unwrap_or_default());
        self
    }

    /// The directory the program starts in, if one is chosen: at run time, else by
    /// the table.
    pub(crate) fn start(&self) -> Option<&CStr> {
        self.current_dir.as_deref().or(self.ns.chdir())
    }
}

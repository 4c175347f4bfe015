//! Sources chosen at run time: a declaration's `param(NAME)` is a slot in the table (a
//! source that is a name, not an absolute path), filled when entering from [`Params`].
//! The table's shape stays fixed at compile time; only which host directory a slot
//! binds is chosen by the caller.

use core::ffi::CStr;
#[cfg(feature = "std")]
use std::ffi::CString;
#[cfg(feature = "std")]
use std::os::unix::ffi::OsStrExt as _;
#[cfg(feature = "std")]
use std::path::Path;

use rustix::io::Errno;

use crate::error::{Context, Detail, Entry, Error, Reason, Step};
use crate::table::{Kind, Namespace};

/// The name of the slot `source` is, if it is one: every host path is absolute.
pub(crate) fn slot(source: &CStr) -> Option<&CStr> {
    (source.to_bytes().first() != Some(&b'/')).then_some(source)
}

/// Where entering finds the values of the slots: [`Params`] with std, or none.
pub(crate) trait Values {
    /// The value set for the slot `name`, or why there is none: unset
    /// ([`Reason::Unfilled`]), or set to something that holds a NUL
    /// ([`Reason::NotAbsolute`]).
    fn value(&self, name: &CStr) -> Result<&CStr, Reason>;

    /// Calls `each` with the name of every value set, in order.
    fn names(&self, each: &mut dyn FnMut(&CStr));
}

/// The values of a plain `enter`: none.
pub(crate) struct NoValues;

impl Values for NoValues {
    fn value(&self, _: &CStr) -> Result<&CStr, Reason> {
        Err(Reason::Unfilled)
    }

    fn names(&self, _: &mut dyn FnMut(&CStr)) {}
}

/// The host path `source` stands for: itself, or the value of its slot (checked by
/// [`check`] before anything was mounted).
pub(crate) fn resolve<'a>(values: &'a dyn Values, source: &'a CStr) -> Result<&'a CStr, Errno> {
    match slot(source) {
        None => Ok(source),
        Some(name) => values.value(name).map_err(|_| Errno::INVAL),
    }
}

/// Fails unless every slot of `ns` has an absolute path. Allocates nothing.
pub(crate) fn check(values: &dyn Values, ns: &'static Namespace) -> Result<(), Error> {
    for mount in ns.mounts() {
        let entry = match mount.kind() {
            Kind::Bind { .. } => Entry::Bind,
            Kind::Union { .. } => Entry::Union,
            Kind::Tmpfs(_)
            | Kind::Proc
            | Kind::Dev
            | Kind::File { .. }
            | Kind::Dir
            | Kind::Symlink { .. } => continue,
        };
        for &source in mount.sources() {
            let Some(name) = slot(source) else { continue };
            let context = Context::new(entry, mount.target()).with_source(source);
            let error = context.fail(Step::Params)(Errno::INVAL);
            return Err(match values.value(name) {
                Ok(value) if value.to_bytes().first() == Some(&b'/') => continue,
                Ok(value) => error
                    .because(Reason::NotAbsolute)
                    .with_text(value.to_bytes()),
                Err(Reason::Unfilled) => error
                    .because(Reason::Unfilled)
                    .with_detail(given(values, ns)),
                Err(reason) => error.because(reason),
            });
        }
    }
    Ok(())
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

/// The names of the slots of `ns`, in table order, a name as often as it is used.
fn slots(ns: &'static Namespace) -> impl Iterator<Item = &'static CStr> {
    ns.mounts()
        .iter()
        .flat_map(|mount| mount.sources().iter().copied().filter_map(slot))
}

/// Fills the value of a slot into an error about it: its source is a `param(NAME)`
/// and `values` has a value for it.
pub(crate) fn with_value(error: Error, values: &dyn Values) -> Error {
    match error.source().and_then(slot) {
        Some(name) => match values.value(name) {
            Ok(value) => error.with_text(value.to_bytes()),
            Err(_) => error,
        },
        None => error,
    }
}

/// Values for the `param(NAME)` sources of a namespace, by name.
///
/// ```
/// let params = mountns::Params::new().set("PROJECT", "/home/me/project");
/// assert_eq!(params.get("PROJECT"), Some(&b"/home/me/project"[..]));
/// ```
#[cfg(feature = "std")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// Name and value; a value holding a NUL byte is kept as `None` and refused when
    /// entering, like a relative one.
    values: Vec<(CString, Option<CString>)>,
}

#[cfg(feature = "std")]
impl Params {
    /// No values.
    pub const fn new() -> Params {
        Params { values: Vec::new() }
    }

    /// Sets the slot `name` to the host path `value`, which must be absolute (checked
    /// when entering, before anything is mounted). Setting a name again replaces it.
    #[must_use]
    pub fn set(mut self, name: &str, value: impl AsRef<Path>) -> Params {
        let value = CString::new(value.as_ref().as_os_str().as_bytes()).ok();
        // A name with a NUL can never match a slot: drop it.
        if let Ok(name) = CString::new(name) {
            self.values.retain(|(old, _)| *old != name);
            self.values.push((name, value));
        }
        self
    }

    /// The value of `name`, if set (and free of NUL bytes).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|(key, _)| key.to_bytes() == name.as_bytes())
            .and_then(|(_, value)| value.as_deref())
            .map(CStr::to_bytes)
    }
}

#[cfg(feature = "std")]
impl Values for Params {
    fn value(&self, name: &CStr) -> Result<&CStr, Reason> {
        match self.values.iter().find(|(key, _)| key.as_c_str() == name) {
            None => Err(Reason::Unfilled),
            Some((_, value)) => value.as_deref().ok_or(Reason::NotAbsolute),
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

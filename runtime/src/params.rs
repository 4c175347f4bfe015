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

use crate::error::{Context, Entry, Error, Reason, Step};
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
}

/// The values of a plain `enter`: none.
pub(crate) struct NoValues;

impl Values for NoValues {
    fn value(&self, _: &CStr) -> Result<&CStr, Reason> {
        Err(Reason::Unfilled)
    }
}

/// The host path `source` stands for: itself, or the value of its slot (checked by
/// [`check`] before anything was mounted).
pub(crate) fn resolve<'a>(values: &'a dyn Values, source: &'a CStr) -> Result<&'a CStr, Errno> {
    match slot(source) {
        None => Ok(source),
        Some(name) => values.value(name).map_err(|_| Errno::INVAL),
    }
}

/// Each host source of `ns` (a bind's source, a union's layers), with the table entry
/// that an error about it names.
pub(crate) fn sources(ns: &Namespace) -> impl Iterator<Item = (Context, &'static CStr)> {
    ns.mounts().iter().flat_map(|mount| {
        let entry = match mount.kind() {
            Kind::Union { .. } => Entry::Union,
            _ => Entry::Bind,
        };
        let context = Context::new(entry, mount.target());
        mount
            .host_sources()
            .iter()
            .map(move |&source| (context.with_source(source), source))
    })
}

/// Fails unless every slot of `ns` has an absolute path. Allocates nothing.
pub(crate) fn check(values: &dyn Values, ns: &Namespace) -> Result<(), Error> {
    for (context, source) in sources(ns) {
        let Some(name) = slot(source) else { continue };
        let reason = match values.value(name) {
            Ok(value) if value.to_bytes().first() == Some(&b'/') => continue,
            Ok(_) => Reason::NotAbsolute,
            Err(reason) => reason,
        };
        return Err(context.fail(Step::Params)(Errno::INVAL).because(reason));
    }
    Ok(())
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
}

#[cfg(feature = "std")]
impl Namespace {
    /// This namespace with `params` for its `param(NAME)` sources.
    ///
    /// ```no_run
    /// mountns::namespace! {
    ///     static BUILD = { bind "/src/" [param(PROJECT), tmpfs("size=100M")]; };
    /// }
    /// use mountns::{CommandExt as _, Params};
    /// let project = std::env::current_dir()?;
    /// let params = Params::new().set("PROJECT", &project);
    /// std::process::Command::new("/usr/bin/make")
    ///     .current_dir("/src")
    ///     .status_in(BUILD.with(params))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with(&'static self, params: Params) -> Filled {
        Filled { ns: self, params }
    }
}

#[cfg(feature = "std")]
impl From<&'static Namespace> for Filled {
    fn from(ns: &'static Namespace) -> Filled {
        Filled {
            ns,
            params: Params::new(),
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
}

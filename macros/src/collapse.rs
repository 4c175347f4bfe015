//! Sort and collapse, made strict: pure functions on plain data.
//!
//! Entries are stable-sorted so that a parent comes before its children and, on one
//! target, a tmpfs before the binds it is the upper of; then the entries of each target
//! collapse into one mount: a bind, a tmpfs, a read-only union (several binds, the first
//! declared on top) or a writable union (a tmpfs plus binds). Identical entries of
//! different statements (a profile included twice, or two profiles that bind the same
//! directory) are one mount: the later ones are dropped.

use std::cmp::Ordering;

pub use crate::parse::Made;

pub use crate::valid::{DEV, READ_ONLY};

/// One declared mount, after flattening lists and includes. `O` is whatever the
/// caller needs to point back at the statement (a span, an index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<O> {
    /// Normalized absolute target, without trailing slash.
    pub target: String,
    pub dir: bool,
    pub flags: u32,
    pub what: What,
    /// The mode of a `dir` or `file` (`mode(0644)`), if declared.
    pub mode: Option<u32>,
    /// The statement this entry was written in, counted once per time it is reached:
    /// two entries of one statement that are alike are a typo, of two statements a merge.
    pub stmt: usize,
    pub origin: O,
}

/// What an entry mounts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum What {
    /// A host source; the string identifies it (a normalized path, or the text of a
    /// constant expression).
    Host(String),
    /// A fresh tmpfs with these options.
    Tmpfs(String),
    /// The host's upper and work directories of a writable union, `upper(..)`: each
    /// a normalized path or `param(NAME)`.
    Upper { upper: String, work: String },
    /// What the runtime makes (`proc`, `dev`, `dir`, `symlink`, `file`), with what
    /// tells two alike apart: a link's text, a file's content as written.
    Made(Made, String),
}

/// One mount of the collapsed table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount<O> {
    pub target: String,
    pub dir: bool,
    pub flags: u32,
    pub kind: Kind<O>,
    /// Where the runtime makes this mountpoint (or this directory, link or file).
    pub made_in: MadeIn,
}

/// Where the runtime makes a mountpoint (or a `dir`, `symlink` or `file`): with the
/// skeleton, or inside the nearest enclosing mount once that is mounted, since that
/// mount hides the skeleton below it (a `tmpfs`, a `dev`) or takes what is made in it
/// (a writable union's upper tmpfs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MadeIn {
    Skeleton,
    Tmpfs,
    Dev,
    Upper,
}

impl MadeIn {
    /// The runtime's `MadeIn` variant of the same name.
    pub fn name(self) -> &'static str {
        match self {
            MadeIn::Skeleton => "Skeleton",
            MadeIn::Tmpfs => "Tmpfs",
            MadeIn::Dev => "Dev",
            MadeIn::Upper => "Upper",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind<O> {
    Bind(Entry<O>),
    Tmpfs(Entry<O>),
    Union {
        /// Top first, in declaration order.
        lowers: Vec<Entry<O>>,
        upper: Option<Entry<O>>,
    },
    /// `proc`, `dev`, `dir`, `symlink` or `file`: alone on its target.
    Make(Entry<O>),
}

/// Why a set of entries cannot be collapsed; `at` is the entry to blame (the later
/// one in declaration order), `other` the one it clashes with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error<O> {
    pub problem: Problem,
    pub at: Entry<O>,
    pub other: Option<Entry<O>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Two tmpfs on one target.
    TwoTmpfs,
    /// A target used as a file in one entry and a directory in another.
    FileAndDir,
    /// More layers than overlayfs stacks.
    TooManyLayers(usize),
    /// The same source twice on one target, in one statement.
    SameSource,
    /// The same source on one target with different flags.
    DifferentFlags,
    /// `ro` on a union whose upper is a tmpfs.
    ReadOnlyWritableUnion,
    /// `ro` on a lone tmpfs: it would stay empty.
    ReadOnlyTmpfs,
    /// `dev` on a tmpfs or a writable union (`other`, its tmpfs): `dev` lets a host
    /// source's device nodes work, and these hold writes, where no node can be made.
    DevOnTmpfs,
    /// A mount under a target that is a file mount.
    UnderFile,
    /// A union layer overlayfs refuses: `/proc`, `/sys` or what lies under them, `/dev`.
    LayerRefused,
    /// Two layers of one union where one lies under the other (`other`), which
    /// overlayfs refuses (ELOOP).
    OverlappingLayers,
    /// Something the runtime makes shares its target with another statement.
    Shared,
    /// A mount, directory, link or file under a `proc` target.
    UnderProc,
    /// A `dir` or `symlink` whose nearest enclosing mount is a host source (`other`):
    /// it would be made in the host's directory.
    InHost,
    /// `upper(..)` with no other source on its target: nothing to lay it over.
    UpperAlone,
    /// Two writable layers (tmpfs or `upper(..)`) on one target, one of them an upper.
    TwoUppers,
    /// The upper or work directory (`at`) is, holds or lies in a layer (`other`) of its
    /// union, which overlayfs refuses.
    UpperOverLayer,
    /// Two unions (`at` and `other`) whose upper or work directories are one, or lie
    /// one in the other: overlayfs lets each pair serve one union.
    SharedUpper,
}

impl What {
    /// Whether this is a source expanded while the user's crate compiles (a constant,
    /// a package, a source of an included namespace): a package with inputs becomes a
    /// union.
    fn is_expanded(&self) -> bool {
        matches!(self, What::Host(source) if source.starts_with('{'))
    }
}

impl<O> Entry<O> {
    fn is_tmpfs(&self) -> bool {
        matches!(self.what, What::Tmpfs(_))
    }

    /// Whether this is the writable layer of a union: a tmpfs, or `upper(..)`.
    fn is_writable(&self) -> bool {
        matches!(self.what, What::Tmpfs(_) | What::Upper { .. })
    }

    /// The host paths of an `upper(..)` (those that are not slots).
    fn upper_paths(&self) -> Vec<&str> {
        match &self.what {
            What::Upper { upper, work } => [upper, work]
                .into_iter()
                .filter(|path| path.starts_with('/'))
                .map(String::as_str)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the entry makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<Made> {
        match self.what {
            What::Made(made, _) => Some(made),
            What::Host(_) | What::Tmpfs(_) | What::Upper { .. } => None,
        }
    }
}

impl<O> Mount<O> {
    /// What the mount makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<Made> {
        match &self.kind {
            Kind::Make(entry) => entry.made(),
            Kind::Bind(_) | Kind::Tmpfs(_) | Kind::Union { .. } => None,
        }
    }
}

/// Orders targets component by component, so a parent sorts before its children and
/// its children follow it directly.
pub fn compare_targets(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// Whether `child` lies strictly under `parent`.
pub fn is_under(child: &str, parent: &str) -> bool {
    if parent == "/" {
        return child != "/";
    }
    child.len() > parent.len()
        && child.starts_with(parent)
        && child.as_bytes()[parent.len()] == b'/'
}

/// Sorts (stably) and collapses `entries`, in declaration order, into the mount table.
/// Every error is reported, not just the first.
pub fn collapse<O: Clone>(entries: Vec<Entry<O>>) -> Result<Vec<Mount<O>>, Vec<Error<O>>> {
    let mut entries = entries;
    entries.sort_by(|a, b| {
        compare_targets(&a.target, &b.target).then_with(|| b.is_writable().cmp(&a.is_writable()))
    });
    let mut mounts: Vec<Mount<O>> = Vec::new();
    let mut errors = Vec::new();
    let mut rest = entries.as_slice();
    while let Some(first) = rest.first() {
        let len = rest.iter().take_while(|e| e.target == first.target).count();
        let (group, tail) = rest.split_at(len);
        rest = tail;
        match collapse_target(group) {
            Ok(mount) => mounts.push(mount),
            Err(mut more) => errors.append(&mut more),
        }
    }
    check_nesting(&mut mounts, &mut errors);
    check_shared_uppers(&mounts, &mut errors);
    if errors.is_empty() {
        Ok(mounts)
    } else {
        Err(errors)
    }
}

/// Collapses the entries of one target (tmpfs first, then declaration order).
fn collapse_target<O: Clone>(group: &[Entry<O>]) -> Result<Mount<O>, Vec<Error<O>>> {
    let mut errors = Vec::new();
    let error = |problem, at: &Entry<O>, other: Option<&Entry<O>>| Error {
        problem,
        at: at.clone(),
        other: other.cloned(),
    };
    // An entry like an earlier one (same source) is the same mount reached twice:
    // dropped, unless it repeats a source within one statement (a typo) or differs in
    // its flags or file type (a conflict, reported below or here).
    let mut kept: Vec<&Entry<O>> = Vec::new();
    for entry in group {
        match kept.iter().find(|k| k.what == entry.what) {
            None => kept.push(entry),
            Some(same) if same.stmt == entry.stmt => {
                errors.push(error(Problem::SameSource, entry, Some(same)));
            }
            Some(same) if same.flags != entry.flags => {
                errors.push(error(Problem::DifferentFlags, entry, Some(same)));
            }
            Some(same) if same.dir != entry.dir => {
                errors.push(error(Problem::FileAndDir, entry, Some(same)));
            }
            Some(_) => {}
        }
    }
    // What the runtime makes stands alone on its target (the later of it and the first
    // other entry is blamed); alone, it is the one entry that is not a tmpfs below.
    if let Some(position) = kept.iter().position(|e| e.made().is_some()) {
        let made = kept[position];
        let others = kept.iter().enumerate().filter(|(i, _)| *i != position);
        if let Some((_, &other)) = others.min_by_key(|(_, e)| e.stmt) {
            let (at, other) = if other.stmt > made.stmt {
                (other, made)
            } else {
                (made, other)
            };
            errors.push(error(Problem::Shared, at, Some(other)));
            return Err(errors);
        }
    }
    let first = kept[0];
    let tmpfs = writable_layers(&kept, &mut errors);
    let binds: Vec<&Entry<O>> = kept.iter().copied().filter(|e| !e.is_writable()).collect();
    // A tmpfs or a union always mounts on a directory, as written or not; a lone bind
    // takes the type its statements agree on.
    let union_or_tmpfs = !tmpfs.is_empty() || binds.len() > 1;
    let flags = kept.iter().fold(0, |flags, e| flags | e.flags);
    let target = first.target.clone();
    let dir = first.dir || union_or_tmpfs;
    let kind = match (tmpfs.first(), binds.len()) {
        (Some(only), 0) if !only.is_tmpfs() => {
            errors.push(error(Problem::UpperAlone, only, None));
            Kind::Tmpfs((*only).clone())
        }
        (Some(only), 0) => {
            if only.flags & READ_ONLY != 0 {
                errors.push(error(Problem::ReadOnlyTmpfs, only, None));
            }
            if only.flags & DEV != 0 {
                errors.push(error(Problem::DevOnTmpfs, only, None));
            }
            Kind::Tmpfs((*only).clone())
        }
        (None, 1) if binds[0].made().is_some() => Kind::Make(binds[0].clone()),
        (None, 1) => Kind::Bind(binds[0].clone()),
        (upper, _) => {
            if binds.len() > mountns_paths::layers::MAX {
                errors.push(error(
                    Problem::TooManyLayers(binds.len()),
                    binds[mountns_paths::layers::MAX],
                    None,
                ));
            }
            check_layers(&binds, &mut errors);
            if let Some(upper) = upper {
                check_upper(upper, &binds, &mut errors);
            }
            if let (Some(upper), Some(ro)) = (upper, kept.iter().find(|e| e.flags & READ_ONLY != 0))
            {
                errors.push(error(Problem::ReadOnlyWritableUnion, ro, Some(upper)));
            }
            if let (Some(upper), Some(dev)) = (upper, kept.iter().find(|e| e.flags & DEV != 0)) {
                errors.push(error(Problem::DevOnTmpfs, dev, Some(upper)));
            }
            Kind::Union {
                lowers: binds.into_iter().cloned().collect(),
                upper: upper.map(|u| (*u).clone()),
            }
        }
    };
    if errors.is_empty() {
        Ok(Mount {
            target,
            dir,
            flags,
            kind,
            made_in: MadeIn::Skeleton,
        })
    } else {
        Err(errors)
    }
}

/// The writable layers among `kept` (tmpfs and `upper(..)`): more than one is an error.
fn writable_layers<'a, O: Clone>(
    kept: &[&'a Entry<O>],
    errors: &mut Vec<Error<O>>,
) -> Vec<&'a Entry<O>> {
    let layers: Vec<&Entry<O>> = kept.iter().copied().filter(|e| e.is_writable()).collect();
    for extra in layers.iter().skip(1) {
        let problem = if extra.is_tmpfs() && layers[0].is_tmpfs() {
            Problem::TwoTmpfs
        } else {
            Problem::TwoUppers
        };
        errors.push(Error {
            problem,
            at: (*extra).clone(),
            other: Some(layers[0].clone()),
        });
    }
    layers
}

/// Refuses the layers overlayfs would: pseudo filesystems, and a layer with its own
/// ancestor or descendant. Only host paths the macro can read; a constant's value is
/// checked by the kernel at run time.
fn check_layers<O: Clone>(layers: &[&Entry<O>], errors: &mut Vec<Error<O>>) {
    let path = |entry: &Entry<O>| match &entry.what {
        What::Host(path) if path.starts_with('/') => Some(path.clone()),
        _ => None,
    };
    for (i, layer) in layers.iter().enumerate() {
        let Some(here) = path(layer) else { continue };
        if mountns_paths::layers::refused(here.as_bytes()) {
            errors.push(Error {
                problem: Problem::LayerRefused,
                at: (*layer).clone(),
                other: None,
            });
            continue;
        }
        let overlapping = layers[..i].iter().find(|earlier| {
            path(earlier).is_some_and(|there| {
                mountns_paths::layers::overlap(here.as_bytes(), there.as_bytes())
            })
        });
        if let Some(earlier) = overlapping {
            errors.push(Error {
                problem: Problem::OverlappingLayers,
                at: (*layer).clone(),
                other: Some((*earlier).clone()),
            });
        }
    }
}

/// Whether host paths `a` and `b` are one, or one lies under the other.
fn overlap(a: &str, b: &str) -> bool {
    a == b || is_under(a, b) || is_under(b, a)
}

/// Refuses an upper or work directory that is, holds or lies in a layer of its union
/// (only literal paths: a slot or constant is the kernel's to check).
fn check_upper<O: Clone>(upper: &Entry<O>, layers: &[&Entry<O>], errors: &mut Vec<Error<O>>) {
    for layer in layers {
        let What::Host(path) = &layer.what else {
            continue;
        };
        if path.starts_with('/') && upper.upper_paths().iter().any(|dir| overlap(dir, path)) {
            errors.push(Error {
                problem: Problem::UpperOverLayer,
                at: upper.clone(),
                other: Some((*layer).clone()),
            });
        }
    }
}

/// Refuses two unions that would share an upper or work directory (one path, one
/// lying in the other, or one slot).
fn check_shared_uppers<O: Clone>(mounts: &[Mount<O>], errors: &mut Vec<Error<O>>) {
    let uppers: Vec<&Entry<O>> = mounts
        .iter()
        .filter_map(|mount| match &mount.kind {
            Kind::Union {
                upper: Some(upper), ..
            } if !upper.is_tmpfs() => Some(upper),
            _ => None,
        })
        .collect();
    for (i, later) in uppers.iter().enumerate() {
        let What::Upper { upper, work } = &later.what else {
            continue;
        };
        let shared = uppers[..i].iter().find(|earlier| {
            let What::Upper {
                upper: other_upper,
                work: other_work,
            } = &earlier.what
            else {
                return false;
            };
            [upper, work].into_iter().any(|dir| {
                [other_upper, other_work].into_iter().any(|other| {
                    dir == other
                        || (dir.starts_with('/') && other.starts_with('/') && overlap(dir, other))
                })
            })
        });
        if let Some(earlier) = shared {
            errors.push(Error {
                problem: Problem::SharedUpper,
                at: (*later).clone(),
                other: Some((*earlier).clone()),
            });
        }
    }
}

/// Finds each mount's nearest enclosing mount (a `dir` is none: it only makes a
/// directory): nothing may sit under a file, a link or a `proc`; a `dir` or `symlink`
/// is not made in a host source; and what the runtime must make inside a tmpfs of the
/// table, once that is mounted, is marked so.
fn check_nesting<O: Clone>(mounts: &mut [Mount<O>], errors: &mut Vec<Error<O>>) {
    // The mounts enclosing the current one, innermost last: sorted order makes this a
    // stack, so the whole pass is linear in the number of mounts.
    let mut stack: Vec<usize> = Vec::new();
    for i in 0..mounts.len() {
        while let Some(&top) = stack.last() {
            if is_under(&mounts[i].target, &mounts[top].target) {
                break;
            }
            stack.pop();
        }
        if let Some(&parent) = stack.last() {
            let problem = nesting_problem(&mounts[i], &mounts[parent]);
            if let Some(problem) = problem {
                errors.push(Error {
                    problem,
                    at: representative(&mounts[i]).clone(),
                    other: Some(representative(&mounts[parent]).clone()),
                });
            }
            mounts[i].made_in = made_in(&mounts[i], &mounts[parent]);
        }
        if mounts[i].made() != Some(Made::Dir) {
            stack.push(i);
        }
    }
}

/// What is wrong with `child` lying in `parent`, its nearest enclosing mount.
fn nesting_problem<O>(child: &Mount<O>, parent: &Mount<O>) -> Option<Problem> {
    let made_here = matches!(child.made(), Some(Made::Dir | Made::Symlink));
    let host = match &parent.kind {
        // A source expanded at compile time may be a union; if it is not, the emitted
        // table refuses it then.
        Kind::Bind(entry) => parent.target != "/" || !entry.what.is_expanded(),
        // What is made in a union with the host's upper would be made in that upper.
        Kind::Union { upper: None, .. } => parent.target != "/",
        Kind::Union {
            upper: Some(upper), ..
        } if !upper.is_tmpfs() => parent.target != "/",
        Kind::Union { upper: Some(_), .. } | Kind::Tmpfs(_) | Kind::Make(_) => false,
    };
    if parent.made() == Some(Made::Proc) {
        Some(Problem::UnderProc)
    } else if !parent.dir {
        Some(Problem::UnderFile)
    } else if made_here && host {
        Some(Problem::InHost)
    } else {
        None
    }
}

/// Where the runtime makes `child` (its mountpoint, or the directory, link or file
/// itself), given `parent`, its nearest enclosing mount: inside it rather than with
/// the skeleton when a tmpfs or a `dev` hides the skeleton below it, or a writable
/// union takes what is made in it into its upper tmpfs.
fn made_in<O>(child: &Mount<O>, parent: &Mount<O>) -> MadeIn {
    match &parent.kind {
        Kind::Tmpfs(_) => MadeIn::Tmpfs,
        Kind::Make(_) if parent.made() == Some(Made::Dev) => MadeIn::Dev,
        Kind::Union {
            upper: Some(upper), ..
        } if upper.is_tmpfs()
            && matches!(child.made(), Some(Made::Dir | Made::Symlink | Made::File)) =>
        {
            MadeIn::Upper
        }
        Kind::Make(_) | Kind::Bind(_) | Kind::Union { .. } => MadeIn::Skeleton,
    }
}

/// The entry that stands for a mount in messages: the first declared of its target.
pub fn representative<O>(mount: &Mount<O>) -> &Entry<O> {
    match &mount.kind {
        Kind::Bind(entry) | Kind::Tmpfs(entry) | Kind::Make(entry) => entry,
        Kind::Union { lowers, upper } => upper.as_ref().unwrap_or(&lowers[0]),
    }
}

#[cfg(test)]
/// The entries a mount was made of, tmpfs first: collapsing them again gives the
/// same mount.
pub fn entries<O: Clone>(mount: &Mount<O>) -> Vec<Entry<O>> {
    match &mount.kind {
        Kind::Bind(entry) | Kind::Tmpfs(entry) | Kind::Make(entry) => vec![entry.clone()],
        Kind::Union { lowers, upper } => upper.iter().chain(lowers).cloned().collect(),
    }
}

/// A path of the skeleton: what the runtime creates there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    /// An empty file, the mountpoint of a file mount.
    File,
    /// A `symlink` made with the skeleton, with its text.
    Link(String),
}

/// Every mountpoint and its ancestors, parents first, relative: the skeleton the
/// runtime creates in the fresh root. A `dir` or `symlink` the runtime makes in a
/// tmpfs is not in it; one made with the skeleton is.
pub fn skeleton<O>(mounts: &[Mount<O>]) -> Vec<(String, Node)> {
    let mut paths: Vec<(String, Node)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let made_later = |mount: &Mount<O>| mount.made_in != MadeIn::Skeleton && mount.made().is_some();
    for mount in mounts
        .iter()
        .filter(|mount| mount.target != "/" && !made_later(mount))
    {
        let relative = &mount.target[1..];
        let mut end = 0;
        for component in relative.split('/') {
            end += component.len();
            let path = &relative[..end];
            let node = match &mount.kind {
                _ if end < relative.len() || mount.dir => Node::Dir,
                Kind::Make(Entry {
                    what: What::Made(Made::Symlink, text),
                    ..
                }) => Node::Link(text.clone()),
                _ => Node::File,
            };
            if seen.insert(path.to_owned()) {
                paths.push((path.to_owned(), node));
            }
            end += 1;
        }
    }
    paths
}

#[cfg(test)]
mod tests;

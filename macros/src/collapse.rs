//! Sort and collapse, made strict: pure functions on plain data.
//!
//! Entries are stable-sorted so that a parent comes before its children and, on one
//! target, a tmpfs before the binds it is the upper of; then the entries of each target
//! collapse into one mount: a bind, a tmpfs, a read-only union (several binds, the first
//! declared on top) or a writable union (a tmpfs plus binds). Identical entries of
//! different statements (a profile included twice, or two profiles that bind the same
//! directory) are one mount: the later ones are dropped.

use std::cmp::Ordering;

use crate::model::{Conflict, DEV, Entry, Kind, Made, Mount, Problem, READ_ONLY, What, is_under};

/// overlayfs stacks at most this many lower layers; one of them is the skeleton.
pub const MAX_LAYERS: usize = 500;

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
}

/// Orders targets component by component, so a parent sorts before its children and
/// its children follow it directly.
pub fn compare_targets(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// Sorts (stably) and collapses `entries`, in declaration order, into the mount table.
/// Every error is reported, not just the first.
pub fn collapse<O: Clone>(entries: Vec<Entry<O>>) -> Result<Vec<Mount<O>>, Vec<Conflict<O>>> {
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
fn collapse_target<O: Clone>(group: &[Entry<O>]) -> Result<Mount<O>, Vec<Conflict<O>>> {
    let mut errors = Vec::new();
    let error = |problem, at: &Entry<O>, other: Option<&Entry<O>>| Conflict {
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
            if binds.len() > MAX_LAYERS - 1 {
                errors.push(error(
                    Problem::TooManyLayers(binds.len()),
                    binds[MAX_LAYERS - 1],
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
            in_tmpfs: false,
        })
    } else {
        Err(errors)
    }
}

/// The writable layers among `kept` (tmpfs and `upper(..)`): more than one is an error.
fn writable_layers<'a, O: Clone>(
    kept: &[&'a Entry<O>],
    errors: &mut Vec<Conflict<O>>,
) -> Vec<&'a Entry<O>> {
    let layers: Vec<&Entry<O>> = kept.iter().copied().filter(|e| e.is_writable()).collect();
    for extra in layers.iter().skip(1) {
        let problem = if extra.is_tmpfs() && layers[0].is_tmpfs() {
            Problem::TwoTmpfs
        } else {
            Problem::TwoUppers
        };
        errors.push(Conflict {
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
fn check_layers<O: Clone>(layers: &[&Entry<O>], errors: &mut Vec<Conflict<O>>) {
    let path = |entry: &Entry<O>| match &entry.what {
        What::Host(path) if path.starts_with('/') => Some(path.clone()),
        _ => None,
    };
    for (i, layer) in layers.iter().enumerate() {
        let Some(here) = path(layer) else { continue };
        let pseudo = ["/proc", "/sys"]
            .iter()
            .any(|fs| here == *fs || is_under(&here, fs));
        if pseudo || here == "/dev" {
            errors.push(Conflict {
                problem: Problem::LayerRefused,
                at: (*layer).clone(),
                other: None,
            });
            continue;
        }
        let overlapping = layers[..i].iter().find(|earlier| {
            path(earlier).is_some_and(|there| is_under(&here, &there) || is_under(&there, &here))
        });
        if let Some(earlier) = overlapping {
            errors.push(Conflict {
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
fn check_upper<O: Clone>(upper: &Entry<O>, layers: &[&Entry<O>], errors: &mut Vec<Conflict<O>>) {
    for layer in layers {
        let What::Host(path) = &layer.what else {
            continue;
        };
        if path.starts_with('/') && upper.upper_paths().iter().any(|dir| overlap(dir, path)) {
            errors.push(Conflict {
                problem: Problem::UpperOverLayer,
                at: upper.clone(),
                other: Some((*layer).clone()),
            });
        }
    }
}

/// Refuses two unions that would share an upper or work directory (one path, one
/// lying in the other, or one slot).
fn check_shared_uppers<O: Clone>(mounts: &[Mount<O>], errors: &mut Vec<Conflict<O>>) {
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
            errors.push(Conflict {
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
fn check_nesting<O: Clone>(mounts: &mut [Mount<O>], errors: &mut Vec<Conflict<O>>) {
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
                errors.push(Conflict {
                    problem,
                    at: mounts[i].representative().clone(),
                    other: Some(mounts[parent].representative().clone()),
                });
            }
            mounts[i].in_tmpfs = made_in_tmpfs(&mounts[i], &mounts[parent]);
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

/// Whether the runtime makes `child` (its mountpoint, or the directory, link or file
/// itself) inside `parent`, its nearest enclosing mount, rather than with the
/// skeleton: a tmpfs or a `dev` hides the skeleton below it, and a writable union
/// takes what is made in it into its upper tmpfs.
fn made_in_tmpfs<O>(child: &Mount<O>, parent: &Mount<O>) -> bool {
    match &parent.kind {
        Kind::Tmpfs(_) => true,
        Kind::Make(_) => parent.made() == Some(Made::Dev),
        Kind::Union {
            upper: Some(upper), ..
        } if upper.is_tmpfs() => {
            matches!(child.made(), Some(Made::Dir | Made::Symlink | Made::File))
        }
        Kind::Bind(_) | Kind::Union { .. } => false,
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
    let made_later = |mount: &Mount<O>| mount.in_tmpfs && mount.made().is_some();
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

//! Sort and collapse, made strict: pure functions on plain data.
//!
//! Entries are stable-sorted so that a parent comes before its children and, on one
//! target, a tmpfs before the binds it is the upper of; then the entries of each target
//! collapse into one mount: a bind, a tmpfs, a read-only union (several binds, the first
//! declared on top) or a writable union (a tmpfs plus binds). Identical entries of
//! different statements (a profile included twice, or two profiles that bind the same
//! directory) are one mount: the later ones are dropped.

use std::cmp::Ordering;

use crate::model::{
    Conflict, DEV, Entry, Host, Kind, Made, MadeIn, Mount, Problem, READ_ONLY, What, Writable,
    is_under,
};

/// Orders targets component by component, so a parent sorts before its children and
/// its children follow it directly.
pub fn compare_targets(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// Sorts (stably) and collapses `entries`, in declaration order, into the mount table,
/// and gives each entry the row of its mount. Every error is reported, not just the
/// first.
pub fn collapse<O: Clone>(entries: &mut [Entry<O>]) -> Result<Vec<Mount<O>>, Vec<Conflict<O>>> {
    let writable = |entry: &Entry<O>| matches!(entry.what, What::Writable(_));
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&entries[a], &entries[b]);
        compare_targets(&a.target, &b.target).then_with(|| writable(b).cmp(&writable(a)))
    });
    // Each target's entries, in that order, are one row.
    let mut groups: Vec<&[usize]> = Vec::new();
    let mut rest = order.as_slice();
    while let Some(&first) = rest.first() {
        let target = &entries[first].target;
        let len = rest
            .iter()
            .take_while(|&&i| entries[i].target == *target)
            .count();
        let (group, tail) = rest.split_at(len);
        groups.push(group);
        rest = tail;
    }
    for (row, group) in groups.iter().enumerate() {
        for &i in *group {
            entries[i].row = row;
        }
    }
    let mut mounts: Vec<Mount<O>> = Vec::new();
    let mut errors = Vec::new();
    for group in groups {
        let group: Vec<&Entry<O>> = group.iter().map(|&i| &entries[i]).collect();
        match collapse_target(&group) {
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
fn collapse_target<O: Clone>(group: &[&Entry<O>]) -> Result<Mount<O>, Vec<Conflict<O>>> {
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
    for &entry in group {
        match kept.iter().find(|k| k.alike(entry)) {
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
    // Each entry with its payload, by what it is.
    let mut hosts: Vec<(&Entry<O>, &Host)> = Vec::new();
    let mut writables: Vec<(&Entry<O>, &Writable)> = Vec::new();
    let mut made: Vec<(&Entry<O>, &Made)> = Vec::new();
    for &entry in &kept {
        match &entry.what {
            What::Host(host) => hosts.push((entry, host)),
            What::Writable(writable) => writables.push((entry, writable)),
            What::Made(thing) => made.push((entry, thing)),
        }
    }
    let first = kept[0];
    let target = first.target.clone();
    let flags = kept.iter().fold(0, |flags, e| flags | e.flags);
    // What the runtime makes stands alone on its target (the later of it and the first
    // other entry is blamed).
    if let Some(&(entry, thing)) = made.first() {
        let others = kept.iter().filter(|other| !std::ptr::eq(**other, entry));
        if let Some(&other) = others.min_by_key(|other| other.stmt) {
            let (at, other) = if other.stmt > entry.stmt {
                (other, entry)
            } else {
                (entry, other)
            };
            errors.push(error(Problem::Shared, at, Some(other)));
            return Err(errors);
        }
        let kind = Kind::Make(entry.with(thing.clone()));
        return mount(errors, target, first.dir, flags, kind);
    }
    writable_layers(&writables, &mut errors);
    // A tmpfs or a union always mounts on a directory, as written or not; a lone bind
    // takes the type its statements agree on.
    let dir = first.dir || !writables.is_empty() || hosts.len() > 1;
    let kind = match (writables.first(), hosts.as_slice()) {
        (Some(&(only, Writable::Upper(_))), []) => {
            errors.push(error(Problem::UpperAlone, only, None));
            return Err(errors);
        }
        (Some(&(only, Writable::Tmpfs(tmpfs))), []) => {
            if only.flags & READ_ONLY != 0 {
                errors.push(error(Problem::ReadOnlyTmpfs, only, None));
            }
            if only.flags & DEV != 0 {
                errors.push(error(Problem::DevOnTmpfs, only, None));
            }
            Kind::Tmpfs(only.with(tmpfs.clone()))
        }
        (None, [(bind, host)]) => Kind::Bind(bind.with((*host).clone())),
        (upper, binds) => {
            if binds.len() > mountns_paths::layers::MAX {
                errors.push(error(
                    Problem::TooManyLayers(binds.len()),
                    binds[mountns_paths::layers::MAX].0,
                    None,
                ));
            }
            check_layers(binds, &mut errors);
            if let Some(&(upper, writable)) = upper {
                check_upper(upper, writable, binds, &mut errors);
                if let Some(ro) = kept.iter().find(|e| e.flags & READ_ONLY != 0) {
                    errors.push(error(Problem::ReadOnlyWritableUnion, ro, Some(upper)));
                }
                if let Some(dev) = kept.iter().find(|e| e.flags & DEV != 0) {
                    errors.push(error(Problem::DevOnTmpfs, dev, Some(upper)));
                }
            }
            Kind::Union {
                lowers: binds
                    .iter()
                    .map(|(entry, host)| entry.with((*host).clone()))
                    .collect(),
                upper: upper.map(|(entry, writable)| entry.with((*writable).clone())),
            }
        }
    };
    mount(errors, target, dir, flags, kind)
}

/// The mount of a target, unless its entries had errors.
fn mount<O>(
    errors: Vec<Conflict<O>>,
    target: String,
    dir: bool,
    flags: u32,
    kind: Kind<O>,
) -> Result<Mount<O>, Vec<Conflict<O>>> {
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

/// The writable layers of a target (tmpfs and `upper(..)`): more than one is an error.
fn writable_layers<O: Clone>(layers: &[(&Entry<O>, &Writable)], errors: &mut Vec<Conflict<O>>) {
    let tmpfs = |writable: &Writable| matches!(writable, Writable::Tmpfs(_));
    if let Some(((first, first_layer), extras)) = layers.split_first() {
        for (extra, layer) in extras {
            let problem = if tmpfs(layer) && tmpfs(first_layer) {
                Problem::TwoTmpfs
            } else {
                Problem::TwoUppers
            };
            errors.push(Conflict {
                problem,
                at: (*extra).clone(),
                other: Some((*first).clone()),
            });
        }
    }
}

/// Refuses the layers overlayfs would: pseudo filesystems, and a layer with its own
/// ancestor or descendant. Only host paths the macro can read; a constant's value is
/// checked by the kernel at run time.
fn check_layers<O: Clone>(layers: &[(&Entry<O>, &Host)], errors: &mut Vec<Conflict<O>>) {
    for (i, (layer, host)) in layers.iter().enumerate() {
        let Some(here) = host.path() else { continue };
        if mountns_paths::layers::refused(here.as_bytes()) {
            errors.push(Conflict {
                problem: Problem::LayerRefused,
                at: (*layer).clone(),
                other: None,
            });
            continue;
        }
        let overlapping = layers[..i].iter().find(|(_, earlier)| {
            earlier.path().is_some_and(|there| {
                mountns_paths::layers::overlap(here.as_bytes(), there.as_bytes())
            })
        });
        if let Some((earlier, _)) = overlapping {
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

/// The host paths of an `upper(..)`'s directories (those that are not slots).
fn upper_paths(writable: &Writable) -> Vec<&str> {
    match writable {
        Writable::Upper(parts) => parts.iter().filter_map(|part| part.path()).collect(),
        Writable::Tmpfs(_) => Vec::new(),
    }
}

/// Refuses an upper or work directory that is, holds or lies in a layer of its union
/// (only literal paths: a slot or constant is the kernel's to check).
fn check_upper<O: Clone>(
    upper: &Entry<O>,
    writable: &Writable,
    layers: &[(&Entry<O>, &Host)],
    errors: &mut Vec<Conflict<O>>,
) {
    for (layer, host) in layers {
        let Some(path) = host.path() else { continue };
        if upper_paths(writable).iter().any(|dir| overlap(dir, path)) {
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
    let uppers: Vec<(&Entry<O, Writable>, &[_; 2])> = mounts
        .iter()
        .filter_map(|mount| match &mount.kind {
            Kind::Union {
                upper: Some(upper), ..
            } => match &upper.what {
                Writable::Upper(parts) => Some((upper, parts)),
                Writable::Tmpfs(_) => None,
            },
            _ => None,
        })
        .collect();
    for (i, (later, parts)) in uppers.iter().enumerate() {
        let shared = uppers[..i].iter().find(|(_, others)| {
            parts.iter().any(|dir| {
                others.iter().any(|other| {
                    dir.same(other)
                        || dir
                            .path()
                            .zip(other.path())
                            .is_some_and(|(dir, other)| overlap(dir, other))
                })
            })
        });
        if let Some((earlier, _)) = shared {
            errors.push(Conflict {
                problem: Problem::SharedUpper,
                at: later.widened(),
                other: Some(earlier.widened()),
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
                    at: mounts[i].representative(),
                    other: Some(mounts[parent].representative()),
                });
            }
            mounts[i].made_in = made_in(&mounts[i], &mounts[parent]);
        }
        if !matches!(mounts[i].made(), Some(Made::Dir { .. })) {
            stack.push(i);
        }
    }
}

/// What is wrong with `child` lying in `parent`, its nearest enclosing mount.
fn nesting_problem<O>(child: &Mount<O>, parent: &Mount<O>) -> Option<Problem> {
    let made_here = matches!(child.made(), Some(Made::Dir { .. } | Made::Symlink(_)));
    let host = match &parent.kind {
        // A source expanded at compile time may be a union; if it is not, the emitted
        // table refuses it then.
        Kind::Bind(entry) => parent.target != "/" || entry.what.source().is_none(),
        // What is made in a union with the host's upper would be made in that upper.
        Kind::Union {
            upper:
                None
                | Some(Entry {
                    what: Writable::Upper(_),
                    ..
                }),
            ..
        } => parent.target != "/",
        Kind::Union {
            upper:
                Some(Entry {
                    what: Writable::Tmpfs(_),
                    ..
                }),
            ..
        }
        | Kind::Tmpfs(_)
        | Kind::Make(_) => false,
    };
    if matches!(parent.made(), Some(Made::Proc)) {
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
        Kind::Make(Entry {
            what: Made::Dev, ..
        }) => MadeIn::Dev,
        Kind::Union {
            upper:
                Some(Entry {
                    what: Writable::Tmpfs(_),
                    ..
                }),
            ..
        } if matches!(
            child.made(),
            Some(Made::Dir { .. } | Made::Symlink(_) | Made::File { .. })
        ) =>
        {
            MadeIn::Upper
        }
        Kind::Make(_) | Kind::Bind(_) | Kind::Union { .. } => MadeIn::Skeleton,
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
                    what: Made::Symlink(text),
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

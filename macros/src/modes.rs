//! The modes and owners of what the runtime creates: the skeleton's paths, and the
//! directories it makes inside a tmpfs of the table on the way to a mountpoint, a
//! `dir`, a `symlink` or a `file`. Pure functions on the collapsed table.
//!
//! A `dir` has its declared mode (0755 unless `mode(..)`); a mountpoint is a directory
//! 0755 or an empty file 0644. A directory made only to reach others (a parent) is as
//! open as what lies below it needs, by bubblewrap's rule for each child: the owner
//! may do everything, the group and others may read and search if the child gives
//! them anything (`0750` below a `0710`, `0700` below a `0600`, `0755` below a `1777`),
//! and the rules of every child below it add up. What a table makes for its program
//! (`dir`, `symlink`, `file`, and the parents with nothing else below them) belongs to
//! the program's user when root enters to run it as another; the rest to whoever
//! enters.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{Made, MadeIn, Mount};

/// A directory's mode unless declared.
pub const DIR: u32 = 0o755;

/// An empty file's mode, the mountpoint of a file mount.
pub const FILE: u32 = 0o644;

/// How a path the runtime creates is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attributes {
    pub mode: u32,
    /// Whether it belongs to the program (made for it) rather than to whoever enters.
    pub program: bool,
}

/// The mode a parent needs for a child of mode `child` (bubblewrap's rule).
pub fn parent_mode(child: u32) -> u32 {
    let group = if child & 0o070 == 0 { 0 } else { 0o050 };
    let others = if child.trailing_zeros() >= 3 {
        0
    } else {
        0o005
    };
    0o700 | group | others
}

/// What a mount's own path is made as.
fn own<O>(mount: &Mount<O>) -> Attributes {
    let (mode, program) = match mount.made() {
        Some(Made::Dir { mode }) => (mode.unwrap_or(DIR), true),
        Some(Made::File { .. }) => (FILE, true),
        Some(Made::Symlink(_)) => (0o777, true),
        _ if mount.dir => (DIR, false),
        _ => (FILE, false),
    };
    Attributes { mode, program }
}

/// Every path the runtime may create for `mounts`, relative to the new root (`usr/lib`),
/// with how it is made: a mount's own path as [`own`] says, a parent by the rule above.
pub fn attributes<O>(mounts: &[Mount<O>]) -> HashMap<String, Attributes> {
    let mut own_paths: HashMap<String, Attributes> = HashMap::new();
    let mut parents: HashMap<String, Attributes> = HashMap::new();
    for mount in mounts.iter().filter(|mount| mount.target != "/") {
        let relative = &mount.target[1..];
        let attributes = own(mount);
        own_paths.insert(relative.to_owned(), attributes);
        for (end, _) in relative.match_indices('/') {
            let parent = parents
                .entry(relative[..end].to_owned())
                .or_insert(Attributes {
                    mode: 0,
                    program: true,
                });
            parent.mode |= parent_mode(attributes.mode);
            parent.program &= attributes.program;
        }
    }
    parents.extend(own_paths);
    parents
}

/// The directories the runtime may make inside a tmpfs of the table (or a `dev`, or
/// a writable union) on the way to what it creates there, whose mode or owner is not
/// a plain parent's (0755, whoever enters), sorted by their bytes: what the runtime
/// looks up when it makes one. A path the table declares is made by its own entry.
pub fn made_parents<O>(
    mounts: &[Mount<O>],
    attributes: &HashMap<String, Attributes>,
) -> BTreeMap<String, Attributes> {
    // What encloses a path: a mount, but not a `dir`, which only makes a directory.
    let enclosing: HashSet<&str> = mounts
        .iter()
        .filter(|mount| !matches!(mount.made(), Some(Made::Dir { .. })))
        .map(|mount| mount.target.as_str())
        .collect();
    let declared: HashSet<&str> = mounts.iter().map(|mount| &mount.target[..]).collect();
    let plain = Attributes {
        mode: DIR,
        program: false,
    };
    let mut found = BTreeMap::new();
    for mount in mounts
        .iter()
        .filter(|mount| mount.made_in != MadeIn::Skeleton)
    {
        let target = mount.target.as_str();
        let mut end = target.len();
        // Each parent, innermost first, up to the mount that encloses the target.
        while let Some(slash) = target[..end].rfind('/').filter(|&slash| slash > 0) {
            end = slash;
            let parent = &target[..end];
            if enclosing.contains(parent) {
                break;
            }
            if declared.contains(parent) {
                continue;
            }
            if let Some(&made) = attributes.get(&parent[1..])
                && made != plain
            {
                found.insert(parent[1..].to_owned(), made);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_follow_bubblewraps_rule() {
        // bubblewrap's test of the parents it creates for `--perms M --dir`.
        for (child, parent) in [
            (0o1777, 0o755),
            (0o755, 0o755),
            (0o644, 0o755),
            (0o750, 0o750),
            (0o710, 0o750),
            (0o720, 0o750),
            (0o640, 0o750),
            (0o700, 0o700),
            (0o600, 0o700),
            (0o705, 0o705),
            (0o604, 0o705),
            (0o000, 0o700),
        ] {
            assert_eq!(parent_mode(child), parent, "{child:o}");
        }
    }
}

use super::*;
use crate::model::{Entry, Kind, Made, Mount, Problem, READ_ONLY, What};
use proptest::prelude::*;

fn host(target: &str, source: &str, origin: usize) -> Entry<usize> {
    Entry {
        target: match target.trim_end_matches('/') {
            "" => "/".into(),
            path => path.into(),
        },
        dir: target.ends_with('/'),
        flags: 0,
        what: What::Host(source.into()),
        mode: None,
        stmt: origin,
        origin,
    }
}

fn tmpfs(target: &str, options: &str, origin: usize) -> Entry<usize> {
    Entry {
        what: What::Tmpfs(options.into()),
        ..host(target, "", origin)
    }
}

fn made(made: Made, target: &str, identity: &str, origin: usize) -> Entry<usize> {
    Entry {
        what: What::Made(made, identity.into()),
        ..host(target, "", origin)
    }
}

fn problems(entries: Vec<Entry<usize>>) -> Vec<(Problem, usize)> {
    collapse(entries)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.problem, e.at.origin))
        .collect()
}

#[test]
fn parents_come_first_and_tmpfs_leads_its_target() {
    let mounts = collapse(vec![
        host("/usr/share/", "/a", 0),
        host("/usr-x/", "/b", 1),
        host("/etc/", "/etc", 2),
        tmpfs("/etc/", "size=1M", 3),
        host("/usr/", "/usr", 4),
    ])
    .unwrap();
    let targets: Vec<&str> = mounts.iter().map(|m| m.target.as_str()).collect();
    assert_eq!(targets, ["/etc", "/usr", "/usr/share", "/usr-x"]);
    assert_eq!(
        mounts[0].kind,
        Kind::Union {
            lowers: vec![host("/etc/", "/etc", 2)],
            upper: Some(tmpfs("/etc/", "size=1M", 3)),
        }
    );
}

#[test]
fn binds_on_one_target_make_a_read_only_union_first_on_top() {
    let mounts = collapse(vec![
        host("/opt/", "/srv/a", 0),
        host("/x/", "/x", 1),
        host("/opt/", "/srv/b", 2),
    ])
    .unwrap();
    let Kind::Union { lowers, upper } = &mounts[0].kind else {
        panic!("not a union: {:?}", mounts[0]);
    };
    assert_eq!(upper, &None);
    let sources: Vec<usize> = lowers.iter().map(|e| e.origin).collect();
    assert_eq!(sources, [0, 2]);
}

#[test]
fn every_conflict_is_reported() {
    let mut ro_tmpfs = tmpfs("/t/", "", 3);
    ro_tmpfs.flags = READ_ONLY;
    let mut ro_bind = host("/w/", "/w", 5);
    ro_bind.flags = READ_ONLY;
    let found = problems(vec![
        tmpfs("/tmp/", "", 0),
        tmpfs("/tmp/", "size=1M", 1),
        host("/a/", "/a", 2),
        ro_tmpfs,
        tmpfs("/w/", "", 4),
        ro_bind,
        host("/f/", "/f", 6),
        Entry {
            flags: READ_ONLY,
            ..host("/f/", "/f", 7)
        },
        host("/d/", "/d", 8),
        host("/d", "/d", 9),
        host("/s/", "/s", 10),
        Entry {
            stmt: 10,
            ..host("/s/", "/s", 11)
        },
        host("/a/b/c", "/c", 12),
        host("/a/b/c/d/", "/d", 13),
    ]);
    for expected in [
        (Problem::TwoTmpfs, 1),
        (Problem::ReadOnlyTmpfs, 3),
        (Problem::ReadOnlyWritableUnion, 5),
        (Problem::DifferentFlags, 7),
        (Problem::FileAndDir, 9),
        (Problem::SameSource, 11),
        (Problem::UnderFile, 13),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
}

#[test]
fn alike_entries_of_different_statements_are_one_mount() {
    let mounts = collapse(vec![
        host("/dev/", "/dev", 0),
        tmpfs("/tmp/", "size=1M", 1),
        host("/dev/", "/dev", 2),
        tmpfs("/tmp/", "size=1M", 3),
    ])
    .unwrap();
    assert_eq!(mounts.len(), 2);
    assert_eq!(mounts[0].kind, Kind::Bind(host("/dev/", "/dev", 0)));
    assert_eq!(mounts[1].kind, Kind::Tmpfs(tmpfs("/tmp/", "size=1M", 1)));
}

#[test]
fn a_tmpfs_or_a_union_mounts_on_a_directory() {
    let mounts = collapse(vec![
        tmpfs("/tmp", "", 0),
        host("/opt", "/a", 1),
        host("/opt/", "/b", 2),
        host("/etc/hosts", "/h", 3),
    ])
    .unwrap();
    let dirs: Vec<(&str, bool)> = mounts.iter().map(|m| (m.target.as_str(), m.dir)).collect();
    assert_eq!(
        dirs,
        [("/etc/hosts", false), ("/opt", true), ("/tmp", true)]
    );
}

#[test]
fn everything_nests_under_a_root_mount() {
    let mounts = collapse(vec![
        host("/dev/", "/dev", 0),
        host("/", "/p", 1),
        host("/", "/q", 2),
    ])
    .unwrap();
    let targets: Vec<&str> = mounts.iter().map(|m| m.target.as_str()).collect();
    assert_eq!(targets, ["/", "/dev"]);
    assert!(is_under("/dev", "/"));
    assert!(!is_under("/", "/"));
    assert_eq!(skeleton(&mounts), [("dev".to_string(), Node::Dir)]);
}

#[test]
fn layers_are_limited() {
    let entries = |n: usize| (0..n).map(|i| host("/u/", &format!("/l{i}"), i)).collect();
    assert!(collapse(entries(MAX_LAYERS - 1)).is_ok());
    assert_eq!(
        problems(entries(MAX_LAYERS)),
        [(Problem::TooManyLayers(MAX_LAYERS), MAX_LAYERS - 1)]
    );
}

#[test]
fn a_mount_under_a_tmpfs_is_created_there() {
    let mounts = collapse(vec![
        tmpfs("/tmp/", "", 0),
        host("/tmp/x/", "/x", 1),
        host("/tmp/x/y/", "/y", 2),
    ])
    .unwrap();
    let in_tmpfs: Vec<bool> = mounts.iter().map(|m| m.in_tmpfs).collect();
    assert_eq!(in_tmpfs, [false, true, false]);
}

#[test]
fn the_skeleton_holds_every_mountpoint_and_its_parents() {
    let mounts = collapse(vec![
        host("/etc/ssl/certs/", "/c", 0),
        host("/etc/localtime", "/l", 1),
        host("/usr/", "/usr", 2),
    ])
    .unwrap();
    assert_eq!(
        skeleton(&mounts),
        [
            ("etc".to_string(), Node::Dir),
            ("etc/localtime".to_string(), Node::File),
            ("etc/ssl".to_string(), Node::Dir),
            ("etc/ssl/certs".to_string(), Node::Dir),
            ("usr".to_string(), Node::Dir),
        ]
    );
}

#[test]
fn what_is_made_stands_alone_and_alike_statements_merge() {
    let mounts = collapse(vec![
        made(Made::Proc, "/proc/", "", 0),
        made(Made::Symlink, "/lib", "usr/lib", 1),
        made(Made::Proc, "/proc/", "", 2),
        made(Made::Symlink, "/lib", "usr/lib", 3),
    ])
    .unwrap();
    let kinds: Vec<&Kind<usize>> = mounts.iter().map(|m| &m.kind).collect();
    assert_eq!(
        kinds,
        [
            &Kind::Make(made(Made::Symlink, "/lib", "usr/lib", 1)),
            &Kind::Make(made(Made::Proc, "/proc/", "", 0)),
        ]
    );
    let found = problems(vec![
        made(Made::Dir, "/var/tmp/", "", 0),
        tmpfs("/var/tmp/", "", 1),
        made(Made::Symlink, "/lib", "usr/lib", 2),
        made(Made::Symlink, "/lib", "usr/lib64", 3),
        host("/dev/", "/dev", 4),
        made(Made::Dev, "/dev/", "", 5),
    ]);
    assert_eq!(
        found,
        [
            (Problem::Shared, 5),
            (Problem::Shared, 3),
            (Problem::Shared, 1)
        ]
    );
}

#[test]
fn nothing_lies_under_a_proc_a_link_or_a_file() {
    let found = problems(vec![
        made(Made::Proc, "/proc/", "", 0),
        tmpfs("/proc/sys/", "", 1),
        made(Made::Symlink, "/lib", "usr/lib", 2),
        made(Made::Dir, "/lib/x/", "", 3),
        made(Made::File, "/etc/hostname", "box", 4),
        host("/etc/hostname/a/", "/a", 5),
    ]);
    assert_eq!(
        found,
        [
            (Problem::UnderFile, 5),
            (Problem::UnderFile, 3),
            (Problem::UnderProc, 1)
        ]
    );
}

#[test]
fn dirs_and_links_are_not_made_in_host_directories() {
    let found = problems(vec![
        host("/usr/", "/usr", 0),
        made(Made::Dir, "/usr/cache/", "", 1),
        host("/opt/", "/a", 2),
        host("/opt/", "/b", 3),
        made(Made::Symlink, "/opt/l", "x", 4),
        // A file binds its content: like any file bind, its mountpoint is the host's.
        made(Made::File, "/usr/note", "x", 5),
    ]);
    assert_eq!(found, [(Problem::InHost, 4), (Problem::InHost, 1)]);
    // On `/`, a literal source is a host directory; a union or a source that may
    // expand to one (checked once expanded) keeps the skeleton as its lowest layer.
    let on_root = |root: Vec<Entry<usize>>| {
        let mut entries = root;
        entries.push(made(Made::Dir, "/run/", "", 9));
        collapse(entries).map_err(|errors| errors[0].problem.clone())
    };
    assert_eq!(
        on_root(vec![host("/", "/r", 0)]).unwrap_err(),
        Problem::InHost
    );
    assert!(on_root(vec![host("/", "{ROOT}", 0)]).is_ok());
    assert!(on_root(vec![host("/", "/a", 0), host("/", "/b", 1)]).is_ok());
}

#[test]
fn what_is_made_in_a_tmpfs_a_dev_or_a_writable_union_waits_for_it() {
    let mounts = collapse(vec![
        made(Made::Dir, "/var/tmp/", "", 0),
        made(Made::Symlink, "/lib", "usr/lib", 1),
        tmpfs("/tmp/", "", 2),
        made(Made::Dir, "/tmp/d/", "", 3),
        made(Made::Dev, "/dev/", "", 4),
        host("/dev/dri/", "/dev/dri", 5),
        host("/home/", "/srv/home", 6),
        tmpfs("/home/", "", 7),
        made(Made::File, "/home/note", "x", 8),
        host("/home/mnt/", "/m", 9),
        made(Made::Dir, "/tmp/d/e/", "", 10),
    ])
    .unwrap();
    let placed: Vec<(&str, bool)> = mounts
        .iter()
        .map(|m| (m.target.as_str(), m.in_tmpfs))
        .collect();
    assert_eq!(
        placed,
        [
            ("/dev", false),
            ("/dev/dri", true),
            ("/home", false),
            ("/home/mnt", false),
            ("/home/note", true),
            ("/lib", false),
            ("/tmp", false),
            ("/tmp/d", true),
            ("/tmp/d/e", true),
            ("/var/tmp", false),
        ]
    );
    // Made with the skeleton: `/var/tmp` and the link; made later: what is in a tmpfs.
    let paths: Vec<(String, Node)> = skeleton(&mounts);
    assert!(paths.contains(&("lib".into(), Node::Link("usr/lib".into()))));
    assert!(paths.contains(&("var/tmp".into(), Node::Dir)));
    assert!(paths.iter().all(|(path, _)| !path.starts_with("tmp/d")));
}

/// Declarations from a small alphabet, so that targets collide, nest and clash.
fn entry() -> impl Strategy<Value = Entry<usize>> {
    let target = prop::collection::vec(prop::sample::select(vec!["a", "b", "c"]), 1..4)
        .prop_map(|parts| format!("/{}", parts.join("/")));
    (
        target,
        any::<bool>(),
        prop::sample::select(vec![0u32, READ_ONLY]),
        prop_oneof![
            prop::sample::select(vec!["/s", "/t", "/u"]).prop_map(|s| What::Host(s.into())),
            Just(What::Tmpfs(String::new())),
        ],
    )
        .prop_map(|(target, dir, flags, what)| Entry {
            target,
            dir,
            flags,
            what,
            mode: None,
            stmt: 0,
            origin: 0,
        })
}

fn declaration() -> impl Strategy<Value = Vec<Entry<usize>>> {
    prop::collection::vec(entry(), 0..12).prop_map(|mut entries| {
        for (i, entry) in entries.iter_mut().enumerate() {
            entry.origin = i;
            entry.stmt = i;
        }
        entries
    })
}

proptest! {
    #[test]
    fn collapse_properties(entries in declaration()) {
        let Ok(mounts) = collapse(entries.clone()) else {
            return Ok(());
        };
        // Parents come before children, and each target appears once.
        for (i, a) in mounts.iter().enumerate() {
            for b in &mounts[i + 1..] {
                prop_assert!(!is_under(&a.target, &b.target), "{} after {}", a.target, b.target);
                prop_assert_ne!(&a.target, &b.target);
            }
        }
        // Every declared entry ends up in exactly one mount, or is the same mount as
        // one that does (same target, source and flags).
        let mut out: Vec<usize> = mounts.iter().flat_map(entries_of).collect();
        out.sort_unstable();
        out.dedup();
        prop_assert_eq!(out.len(), mounts.iter().flat_map(entries_of).count());
        let kept: Vec<Entry<usize>> = mounts.iter().flat_map(Mount::entries).cloned().collect();
        for entry in &entries {
            prop_assert!(kept.iter().any(|k| k.origin == entry.origin
                || (k.target == entry.target && k.what == entry.what && k.flags == entry.flags)));
        }
        // Order on one target is stable: lowers keep declaration order.
        for mount in &mounts {
            if let Kind::Union { lowers, .. } = &mount.kind {
                prop_assert!(lowers.windows(2).all(|w| w[0].origin < w[1].origin));
            }
        }
        // Collapsing twice changes nothing.
        let again: Vec<Entry<usize>> = mounts.iter().flat_map(Mount::entries).cloned().collect();
        prop_assert_eq!(collapse(again).unwrap(), mounts);
    }

    #[test]
    fn collapse_ignores_the_order_of_unrelated_targets(entries in declaration()) {
        // Reversing the declaration changes unions' layer order only.
        let mut reversed = entries.clone();
        reversed.reverse();
        let forward = collapse(entries).map(|m| m.iter().map(|m| m.target.clone()).collect::<Vec<_>>());
        let backward = collapse(reversed).map(|m| m.iter().map(|m| m.target.clone()).collect::<Vec<_>>());
        prop_assert_eq!(forward.is_ok(), backward.is_ok());
        if let (Ok(f), Ok(b)) = (forward, backward) {
            prop_assert_eq!(f, b);
        }
    }
}

fn entries_of(mount: &Mount<usize>) -> Vec<usize> {
    mount.entries().into_iter().map(|e| e.origin).collect()
}

use proc_macro2::Span;
use proptest::prelude::*;

use super::*;
use crate::model::{
    Content, Entry, Host, Kind, Made, MadeIn, Mount, Problem, READ_ONLY, RW, Tmpfs, What, Writable,
};

fn at(target: &str, what: What, origin: usize) -> Entry<usize> {
    Entry {
        target: match target.trim_end_matches('/') {
            "" => "/".into(),
            path => path.into(),
        },
        dir: target.ends_with('/'),
        flags: 0,
        what,
        stmt: origin,
        row: 0,
        origin,
    }
}

fn host(target: &str, path: &str, origin: usize) -> Entry<usize> {
    let what = What::Host(Host::Path(path.into(), Span::call_site()));
    at(target, what, origin)
}

/// A constant source, `expr`.
fn constant(target: &str, expr: &str, origin: usize) -> Entry<usize> {
    let expr = Box::new(syn::parse_str(expr).unwrap());
    at(
        target,
        What::Host(Host::Constant { expr, source: 0 }),
        origin,
    )
}

fn tmpfs(target: &str, options: &str, origin: usize) -> Entry<usize> {
    let tmpfs = Tmpfs {
        options: options.into(),
        params: Vec::new(),
    };
    at(target, tmpfs.into(), origin)
}

fn made(target: &str, made: Made, origin: usize) -> Entry<usize> {
    at(target, What::Made(made), origin)
}

const DIR: Made = Made::Dir { mode: None };

fn link(text: &str) -> Made {
    Made::Symlink(text.into())
}

/// A file whose content is the literal `text`.
fn file(text: &str) -> Made {
    let content = Content::Expr(Box::new(syn::parse_str(&format!("{text:?}")).unwrap()));
    Made::File {
        content,
        mode: None,
    }
}

/// An entry as a mount's kind gives it: at `row`, its payload as that kind's.
fn typed<W>(
    entry: &Entry<usize>,
    row: usize,
    what: impl Fn(&What) -> Option<W>,
) -> Entry<usize, W> {
    Entry {
        row,
        ..entry.with(what(&entry.what).unwrap())
    }
}

fn bind(entry: &Entry<usize>, row: usize) -> Entry<usize, Host> {
    typed(entry, row, |what| match what {
        What::Host(host) => Some(host.clone()),
        _ => None,
    })
}

fn problems(mut entries: Vec<Entry<usize>>) -> Vec<(Problem, usize)> {
    collapse(&mut entries)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.problem, e.at.origin))
        .collect()
}

#[test]
fn parents_come_first_and_tmpfs_leads_its_target() {
    let mounts = collapse(&mut [
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
            lowers: vec![bind(&host("/etc/", "/etc", 2), 0)],
            upper: Some(typed(&tmpfs("/etc/", "size=1M", 3), 0, |what| match what {
                What::Writable(writable) => Some(writable.clone()),
                _ => None,
            })),
        }
    );
}

#[test]
fn binds_on_one_target_make_a_read_only_union_first_on_top() {
    let mounts = collapse(&mut [
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
    let mounts = collapse(&mut [
        host("/dev/", "/dev", 0),
        tmpfs("/tmp/", "size=1M", 1),
        host("/dev/", "/dev", 2),
        tmpfs("/tmp/", "size=1M", 3),
    ])
    .unwrap();
    assert_eq!(mounts.len(), 2);
    assert_eq!(
        mounts[0].kind,
        Kind::Bind(bind(&host("/dev/", "/dev", 0), 0))
    );
    let tmpfs = typed(&tmpfs("/tmp/", "size=1M", 1), 1, |what| match what {
        What::Writable(Writable::Tmpfs(tmpfs)) => Some(tmpfs.clone()),
        _ => None,
    });
    assert_eq!(mounts[1].kind, Kind::Tmpfs(tmpfs));
}

#[test]
fn a_tmpfs_or_a_union_mounts_on_a_directory() {
    let mounts = collapse(&mut [
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
    let mounts = collapse(&mut [
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
    let entries = |n: usize| -> Vec<Entry<usize>> {
        (0..n).map(|i| host("/u/", &format!("/l{i}"), i)).collect()
    };
    let max = mountns_paths::layers::MAX;
    assert!(collapse(&mut entries(max)).is_ok());
    assert_eq!(
        problems(entries(max + 1)),
        [(Problem::TooManyLayers(max + 1), max)]
    );
}

#[test]
fn a_mount_under_a_tmpfs_is_created_there() {
    let mounts = collapse(&mut [
        tmpfs("/tmp/", "", 0),
        host("/tmp/x/", "/x", 1),
        host("/tmp/x/y/", "/y", 2),
    ])
    .unwrap();
    let made_in: Vec<MadeIn> = mounts.iter().map(|m| m.made_in).collect();
    assert_eq!(made_in, [MadeIn::Skeleton, MadeIn::Tmpfs, MadeIn::Skeleton]);
}

#[test]
fn the_skeleton_holds_every_mountpoint_and_its_parents() {
    let mounts = collapse(&mut [
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
    let mounts = collapse(&mut [
        made("/proc/", Made::Proc, 0),
        made("/lib", link("usr/lib"), 1),
        made("/proc/", Made::Proc, 2),
        made("/lib", link("usr/lib"), 3),
    ])
    .unwrap();
    let kinds: Vec<&Kind<usize>> = mounts.iter().map(|m| &m.kind).collect();
    assert_eq!(
        kinds,
        [
            &Kind::Make(typed(&made("/lib", link("usr/lib"), 1), 0, |what| what
                .made()
                .cloned())),
            &Kind::Make(typed(&made("/proc/", Made::Proc, 0), 1, |what| what
                .made()
                .cloned())),
        ]
    );
    let found = problems(vec![
        made("/var/tmp/", DIR, 0),
        tmpfs("/var/tmp/", "", 1),
        made("/lib", link("usr/lib"), 2),
        made("/lib", link("usr/lib64"), 3),
        host("/dev/", "/dev", 4),
        made("/dev/", Made::Dev, 5),
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
fn made_things_are_alike_by_kind_text_content_mode_and_rw() {
    let mode = |made: Made, mode: u32| match made {
        Made::Dir { .. } => Made::Dir { mode: Some(mode) },
        Made::File { content, .. } => Made::File {
            content,
            mode: Some(mode),
        },
        other => other,
    };
    let rw = |mut entry: Entry<usize>| {
        entry.flags |= RW;
        entry
    };
    // `"a"` and `b"a"` are one content; alike statements are one mount.
    let byte_string = Made::File {
        content: Content::Expr(Box::new(syn::parse_str(r#"b"a""#).unwrap())),
        mode: None,
    };
    let mounts = collapse(&mut [
        made("/f", file("a"), 0),
        made("/f", byte_string, 1),
        made("/d/", mode(DIR, 0o700), 2),
        made("/d/", mode(DIR, 0o700), 3),
    ])
    .unwrap();
    assert_eq!(mounts.len(), 2);
    // Another text, content, mode or `rw` is another thing on one target.
    for other in [
        made("/x", file("b"), 1),
        made("/x", mode(file("a"), 0o600), 1),
        rw(made("/x", file("a"), 1)),
        made("/x", link("a"), 1),
    ] {
        let found = problems(vec![made("/x", file("a"), 0), other]);
        assert_eq!(found, [(Problem::Shared, 1)]);
    }
    let found = problems(vec![made("/d/", DIR, 0), made("/d/", mode(DIR, 0o700), 1)]);
    assert_eq!(found, [(Problem::Shared, 1)]);
}

#[test]
fn nothing_lies_under_a_proc_a_link_or_a_file() {
    let found = problems(vec![
        made("/proc/", Made::Proc, 0),
        tmpfs("/proc/sys/", "", 1),
        made("/lib", link("usr/lib"), 2),
        made("/lib/x/", DIR, 3),
        made("/etc/hostname", file("box"), 4),
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
        made("/usr/cache/", DIR, 1),
        host("/opt/", "/a", 2),
        host("/opt/", "/b", 3),
        made("/opt/l", link("x"), 4),
        // A file binds its content: like any file bind, its mountpoint is the host's.
        made("/usr/note", file("x"), 5),
    ]);
    assert_eq!(found, [(Problem::InHost, 4), (Problem::InHost, 1)]);
    // On `/`, a literal source is a host directory; a union or a source that may
    // expand to one (checked once expanded) keeps the skeleton as its lowest layer.
    let on_root = |root: Vec<Entry<usize>>| {
        let mut entries = root;
        entries.push(made("/run/", DIR, 9));
        collapse(&mut entries).map_err(|errors| errors[0].problem.clone())
    };
    assert_eq!(
        on_root(vec![host("/", "/r", 0)]).unwrap_err(),
        Problem::InHost
    );
    assert!(on_root(vec![constant("/", "ROOT", 0)]).is_ok());
    assert!(on_root(vec![host("/", "/a", 0), host("/", "/b", 1)]).is_ok());
}

#[test]
fn what_is_made_in_a_tmpfs_a_dev_or_a_writable_union_waits_for_it() {
    let mounts = collapse(&mut [
        made("/var/tmp/", DIR, 0),
        made("/lib", link("usr/lib"), 1),
        tmpfs("/tmp/", "", 2),
        made("/tmp/d/", DIR, 3),
        made("/dev/", Made::Dev, 4),
        host("/dev/dri/", "/dev/dri", 5),
        host("/home/", "/srv/home", 6),
        tmpfs("/home/", "", 7),
        made("/home/note", file("x"), 8),
        host("/home/mnt/", "/m", 9),
        made("/tmp/d/e/", DIR, 10),
    ])
    .unwrap();
    let placed: Vec<(&str, MadeIn)> = mounts
        .iter()
        .map(|m| (m.target.as_str(), m.made_in))
        .collect();
    assert_eq!(
        placed,
        [
            ("/dev", MadeIn::Skeleton),
            ("/dev/dri", MadeIn::Dev),
            ("/home", MadeIn::Skeleton),
            ("/home/mnt", MadeIn::Skeleton),
            ("/home/note", MadeIn::Upper),
            ("/lib", MadeIn::Skeleton),
            ("/tmp", MadeIn::Skeleton),
            ("/tmp/d", MadeIn::Tmpfs),
            ("/tmp/d/e", MadeIn::Tmpfs),
            ("/var/tmp", MadeIn::Skeleton),
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
            prop::sample::select(vec!["/s", "/t", "/u"])
                .prop_map(|s| What::Host(Host::Path(s.into(), Span::call_site()))),
            Just(
                Tmpfs {
                    options: String::new(),
                    params: Vec::new()
                }
                .into()
            ),
        ],
    )
        .prop_map(|(target, dir, flags, what)| Entry {
            target,
            dir,
            flags,
            what,
            stmt: 0,
            row: 0,
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
        let mut entries = entries;
        let Ok(mounts) = collapse(&mut entries) else {
            return Ok(());
        };
        // Each entry knows the row of the mount on its target.
        for entry in &entries {
            prop_assert_eq!(&mounts[entry.row].target, &entry.target);
        }
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
        let kept: Vec<Entry<usize>> = mounts.iter().flat_map(Mount::entries).collect();
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
        let mut again: Vec<Entry<usize>> = mounts.iter().flat_map(Mount::entries).collect();
        prop_assert_eq!(collapse(&mut again).unwrap(), mounts);
    }

    #[test]
    fn collapse_ignores_the_order_of_unrelated_targets(entries in declaration()) {
        // Reversing the declaration changes unions' layer order only.
        let mut reversed = entries.clone();
        reversed.reverse();
        let forward = collapse(&mut entries.clone()).map(|m| m.iter().map(|m| m.target.clone()).collect::<Vec<_>>());
        let backward = collapse(&mut reversed).map(|m| m.iter().map(|m| m.target.clone()).collect::<Vec<_>>());
        prop_assert_eq!(forward.is_ok(), backward.is_ok());
        if let (Ok(f), Ok(b)) = (forward, backward) {
            prop_assert_eq!(f, b);
        }
    }
}

fn entries_of(mount: &Mount<usize>) -> Vec<usize> {
    mount.entries().into_iter().map(|e| e.origin).collect()
}

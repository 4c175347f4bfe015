//! The macro (parse, include, flatten and check, collapse, emit) fed random and
//! mutated declarations: it never panics, it answers as its front end does (the same
//! errors, or tokens that parse as Rust), and every table it accepts has the
//! collapse's properties.
//! `PROPTEST_CASES=1000000 cargo test -p mountns-macros --release fuzz` runs a million
//! cases of each.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::collapse;
use crate::expand::{Front, Grammar};
use crate::model::{Entry, Kind, Made, Mount, Origin, Table, is_under};

/// Pieces of declarations, good and bad, that fit together often enough to reach
/// the later stages.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "bind",
        "bind",
        "bind",
        "include",
        "ro",
        "ro",
        "rw",
        "dev",
        "noexec",
        "proc",
        "dir",
        "symlink",
        "file",
        "unshare",
        "hostname",
        "new_session",
        "assert",
        "hidden",
        "readonly",
        "except",
        "unshared",
        "no_dev",
        "landlock",
        "strict",
        "connect",
        "bind_ports",
        "[443, 0, 70000]",
        "limit",
        "[nofile(16), as(\"2G\"), as(\"2 G\")]",
        "timeout",
        "(0)",
        "(30)",
        "[net, ipc]",
        "[user]",
        "\"box\"",
        "b\"x\"",
        "@content(0)",
        "tmpfs",
        "tmpfs(\"size=1M\")",
        "tmpfs(\"size=ten\")",
        "tmpfs(\"mode=1777,nr_inodes=1k\")",
        "tmpfs(X)",
        ";",
        ";",
        ";",
        "\"/a/\"",
        "\"/a\"",
        "\"/a/b/\"",
        "\"/a/b\"",
        "\"/b/\"",
        "\"/c/d/\"",
        "\"/\"",
        "\"\"",
        "\"a/\"",
        "\"/a/../b/\"",
        "\"/a//b\"",
        "\"/s\"",
        "\"/t/\"",
        "\"/u\"",
        "\"/\\0\"",
        "[\"/a/\", \"/b/\"]",
        "[\"/s\", tmpfs]",
        "[\"/s\", \"/t\", \"/s\"]",
        "[]",
        "[\"/s\", tmpfs, tmpfs]",
        "CONST",
        "concat!(\"/x\", \"/y\")",
        "@src(0)",
        "A",
        "B",
        "self::A",
        "x::y::Z",
        "=>",
        "{",
        "}",
        "=",
        "static",
        "pub",
        ",",
        "::",
        "#[doc = \"d\"]",
    ])
}

fn statements() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..40).prop_map(|pieces| pieces.join(" "))
}

/// Item-form declarations whose statements are random pieces.
fn items() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::sample::select(vec!["A", "B", "C"]), statements()),
        1..4,
    )
    .prop_map(|decls| {
        decls
            .into_iter()
            .map(|(name, body)| format!("pub static {name} = {{ {body} }};"))
            .collect::<Vec<_>>()
            .concat()
    })
}

/// Well-formed statements, so that the collapse sees many accepted tables.
fn well_formed() -> impl Strategy<Value = String> {
    let targets = vec!["/a/", "/a/b/", "/a/b", "/b/", "/c/", "/a/c/d/", "/e", "/"];
    let target = prop::sample::select(targets.clone());
    let source = prop::sample::select(vec![
        "\"/s\"",
        "\"/t\"",
        "\"/u/\"",
        "\"/s/x/\"",
        "\"/proc/\"",
        "tmpfs",
        "tmpfs(\"size=1M\")",
        "CONST",
    ]);
    let flags = prop::sample::select(vec!["", "", "ro ", "dev ", "ro noexec "]);
    let bind = (flags, target, prop::collection::vec(source, 0..3)).prop_map(
        |(flags, target, sources)| match sources.len() {
            0 => format!("bind {flags}\"{target}\";"),
            1 => format!("bind {flags}\"{target}\" {};", sources[0]),
            _ => format!("bind {flags}\"{target}\" [{}];", sources.join(", ")),
        },
    );
    let keyword = prop::sample::select(vec!["proc", "dev", "dir", "symlink", "file"]);
    let made = (keyword, prop::sample::select(targets)).prop_map(|(keyword, target)| {
        let path = target.trim_end_matches('/');
        match keyword {
            "symlink" => format!("symlink \"{path}\" \"x\";"),
            "file" => format!("file \"{path}\" \"x\";"),
            _ => format!("{keyword} \"{path}/\";"),
        }
    });
    let setting = prop::sample::select(vec![
        "unshare [net];",
        "unshare [ipc, uts];",
        "hostname \"box\";",
        "hostname \"other\";",
        "new_session;",
        "landlock;",
        "landlock strict;",
        "connect [443];",
        "bind_ports [8080, 0];",
        "limit [nofile(1024), as(\"2G\"), core(0)];",
        "limit [nofile(16), cpu(60)];",
        "timeout(30);",
        "timeout(5);",
    ])
    .prop_map(String::from);
    // Assertions, some of which the other statements break.
    let assertion = prop::sample::select(vec![
        "assert hidden [\"/s/\"];",
        "assert hidden [\"/u/x\", \"/v/\"];",
        "assert readonly;",
        "assert readonly except [\"/a/\"];",
        "assert unshared [net];",
        "assert no_dev;",
    ])
    .prop_map(String::from);
    let stmt = prop_oneof![8 => bind, 2 => made, 2 => setting, 1 => assertion];
    prop::collection::vec(stmt, 0..16).prop_map(|stmts| stmts.join(" "))
}

/// Runs the whole macro, then checks what it accepted. Returns whether it accepted a
/// table with at least one mount.
fn check(text: &str) -> Result<bool, TestCaseError> {
    let Ok(tokens) = TokenStream::from_str(text) else {
        return Ok(false);
    };
    // The macro answers as its front end does: the same errors, or tokens that are
    // Rust (the tables' items, the expression form's block, or the call that resumes
    // after an include).
    let front = crate::expand::front(tokens.clone(), Grammar::Public);
    let emitted = crate::expand::namespace(tokens, Grammar::Public);
    let tables: Vec<Table> = match (front, emitted) {
        (Err(expected), Err(error)) => {
            prop_assert_eq!(messages(error), messages(expected));
            return Ok(false);
        }
        (Ok(Front::Pending(expected)), Ok(emitted)) => {
            prop_assert_eq!(emitted.to_string(), expected.to_string());
            return Ok(false);
        }
        (Ok(Front::Items(items)), Ok(emitted)) => {
            let parsed = syn::parse2::<syn::File>(emitted).map(drop);
            prop_assert!(parsed.is_ok(), "{:?}", parsed);
            items.into_iter().map(|(_, table)| table).collect()
        }
        (Ok(Front::Expr(table)), Ok(emitted)) => {
            let parsed = syn::parse2::<syn::Expr>(emitted).map(drop);
            prop_assert!(parsed.is_ok(), "{:?}", parsed);
            vec![*table]
        }
        (front, emitted) => {
            let front = front.map(|_| "accepted");
            return Err(TestCaseError::fail(format!(
                "front end {front:?}, macro {emitted:?}"
            )));
        }
    };
    let mut reached = false;
    for Table {
        entries, mounts, ..
    } in tables
    {
        let mounts: Vec<Mount<String>> = mounts.iter().map(described).collect();
        reached |= !mounts.is_empty();
        for (i, a) in mounts.iter().enumerate() {
            for b in &mounts[i + 1..] {
                prop_assert!(!is_under(&a.target, &b.target));
                prop_assert_ne!(&a.target, &b.target);
                // Nothing lies under a file, a link or a fresh procfs.
                if is_under(&b.target, &a.target) {
                    prop_assert!(a.dir && !matches!(a.made(), Some(Made::Proc)));
                }
            }
        }
        // Every entry is in one mount, or is the same mount as one that is.
        let kept: Vec<Entry<String>> = mounts.iter().flat_map(Mount::entries).collect();
        for entry in &entries {
            prop_assert!(kept.iter().any(|k| k.target == entry.target
                && k.what == entry.what
                && k.flags == entry.flags
                && k.row == entry.row));
        }
        let mut again: Vec<Entry<String>> = mounts.iter().flat_map(Mount::entries).collect();
        prop_assert_eq!(collapse::collapse(&mut again).unwrap(), mounts);
    }
    Ok(reached)
}

/// Every message of a combined error.
fn messages(error: syn::Error) -> Vec<String> {
    error.into_iter().map(|error| error.to_string()).collect()
}

/// A mount with each entry's origin reduced to how messages name its statement.
fn described(mount: &Mount<Origin>) -> Mount<String> {
    fn described<W: Clone>(entry: &Entry<Origin, W>) -> Entry<String, W> {
        Entry {
            target: entry.target.clone(),
            dir: entry.dir,
            flags: entry.flags,
            what: entry.what.clone(),
            stmt: entry.stmt,
            row: entry.row,
            origin: entry.origin.describe(),
        }
    }
    Mount {
        target: mount.target.clone(),
        dir: mount.dir,
        flags: mount.flags,
        made_in: mount.made_in,
        kind: match &mount.kind {
            Kind::Bind(entry) => Kind::Bind(described(entry)),
            Kind::Tmpfs(entry) => Kind::Tmpfs(described(entry)),
            Kind::Make(entry) => Kind::Make(described(entry)),
            Kind::Union { lowers, upper } => Kind::Union {
                lowers: lowers.iter().map(described).collect(),
                upper: upper.as_ref().map(described),
            },
        },
    }
}

proptest! {
    #[test]
    fn fuzz_random_statements(text in statements()) {
        check(&text)?;
    }

    #[test]
    fn fuzz_random_items(text in items()) {
        check(&text)?;
    }

    #[test]
    fn fuzz_well_formed(text in well_formed()) {
        check(&text)?;
    }

    #[test]
    fn fuzz_mutated(text in well_formed(), cut in any::<prop::sample::Index>(), insert in piece()) {
        // Drop one character and insert a piece somewhere: broken syntax of every kind.
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            return Ok(());
        }
        let at = cut.index(chars.len());
        let mutated: String = chars[..at].iter().chain(&chars[at + 1..]).collect();
        check(&mutated)?;
        let inserted = format!("{}{insert}{}", &text[..text.len() / 2], &text[text.len() / 2..]);
        check(&inserted)?;
    }
}

/// How many of `cases` values of `strategy` the macro accepts with a mount or more.
fn reaching(strategy: impl Strategy<Value = String>, cases: usize) -> usize {
    let mut runner = TestRunner::deterministic();
    (0..cases)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            check(&text).unwrap()
        })
        .count()
}

#[test]
fn well_formed_cases_reach_the_collapse() {
    // Not only the parser's and the checks' errors: a share of the well-formed cases
    // (and so of their mutations) are tables the collapse accepts. Random pieces
    // almost never are; they exercise the error paths.
    let accepted = reaching(well_formed(), 200);
    assert!(
        accepted >= 10,
        "{accepted} of 200 well-formed cases accepted"
    );
}

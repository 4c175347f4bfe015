//! The front end (parse, validate, include, collapse, emit) fed random and mutated
//! declarations: it never panics, and every table it accepts has the collapse's
//! properties. `PROPTEST_CASES=1000000 cargo test -p mountns-macros --release fuzz`
//! runs a million cases of each.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::collapse::{self, is_under};

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
            .collect()
    })
}

/// Well-formed statements, so that the collapse sees many accepted tables.
fn well_formed() -> impl Strategy<Value = String> {
    let target = prop::sample::select(vec!["/a/", "/a/b/", "/a/b", "/b/", "/c/", "/a/c/d/", "/e"]);
    let source = prop::sample::select(vec![
        "\"/s\"",
        "\"/t\"",
        "\"/u/\"",
        "tmpfs",
        "tmpfs(\"size=1M\")",
        "CONST",
    ]);
    let stmt = (any::<bool>(), target, prop::collection::vec(source, 0..3)).prop_map(
        |(ro, target, sources)| {
            let ro = if ro { "ro " } else { "" };
            match sources.len() {
                0 => format!("bind {ro}\"{target}\";"),
                1 => format!("bind {ro}\"{target}\" {};", sources[0]),
                _ => format!("bind {ro}\"{target}\" [{}];", sources.join(", ")),
            }
        },
    );
    prop::collection::vec(stmt, 0..16).prop_map(|stmts| stmts.join(" "))
}

/// Runs the whole macro, then checks what it accepted.
fn check(text: &str) -> Result<(), TestCaseError> {
    let Ok(tokens) = TokenStream::from_str(text) else {
        return Ok(());
    };
    // Emitting must not panic either.
    let _ = crate::expand::namespace(tokens.clone());
    let Ok(Some(tables)) = crate::expand::tables(tokens) else {
        return Ok(());
    };
    for (declared, mounts) in tables {
        for (i, a) in mounts.iter().enumerate() {
            for b in &mounts[i + 1..] {
                prop_assert!(!is_under(&a.target, &b.target));
                prop_assert_ne!(&a.target, &b.target);
            }
        }
        let mut ids: Vec<usize> = mounts
            .iter()
            .flat_map(collapse::entries)
            .map(|e| e.origin)
            .collect();
        ids.sort();
        prop_assert_eq!(ids, (0..declared).collect::<Vec<_>>());
        let again = mounts.iter().flat_map(collapse::entries).collect();
        prop_assert_eq!(collapse::collapse(again).unwrap(), mounts);
    }
    Ok(())
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

#[test]
fn accepted_declarations_exist() {
    // The generators reach the collapse, not only the parser's errors.
    let text = "bind \"/a/\" [\"/s\", tmpfs]; bind ro \"/b/\"; bind \"/a/c/d/\" \"/t\";";
    let tables = crate::expand::tables(TokenStream::from_str(text).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(tables[0].1.len(), 3);
}

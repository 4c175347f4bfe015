//! Conflicts the collapse finds, turned into messages at the statements to blame.

use proc_macro2::Span;
use quote::ToTokens;

use crate::model::{Conflict, Entry, Host, Made, Origin, Problem, What, Writable, quoted};

/// Turns collapse errors into messages at the statements to blame.
pub fn message(error: &Conflict<Origin>) -> syn::Error {
    let at = &error.at;
    let target = quoted(&at.target, at.dir);
    let other = error
        .other
        .as_ref()
        .map(|other| other.origin.describe())
        .unwrap_or_default();
    let (writable, drop) = writable_layer(error);
    if let Some(message) = upper_message(error, &target, &other) {
        return at_statement(error, message);
    }
    let message = match error.problem {
        Problem::TwoTmpfs => format!(
            "two tmpfs mounts on {target} cannot be combined; keep one (the other is {other})"
        ),
        Problem::FileAndDir => {
            let (here, there) = if at.dir {
                ("directory", "file")
            } else {
                ("file", "directory")
            };
            format!(
                "{target} is a {here} here but a {there} in {other}; end the path with `/` in both statements for a directory, in neither for a file"
            )
        }
        Problem::TooManyLayers(count) => format!(
            "a union of {count} sources on {target} is over overlayfs's limit of {} sources (its {} layers, less one for the skeleton)",
            mountns_paths::layers::MAX,
            mountns_paths::layers::OVERLAYFS_MAX
        ),
        Problem::SameSource => format!(
            "this statement binds {} onto {target} twice; drop one",
            source_text(at)
        ),
        Problem::DifferentFlags => format!(
            "this source is bound onto {target} again with other flags (also by {other}); give both statements the same flags, or drop one"
        ),
        Problem::ReadOnlyWritableUnion => format!(
            "`ro` cannot apply to {target}: with {writable} ({other}) the union on it is writable; drop `ro` or {drop}"
        ),
        Problem::DevOnTmpfs if error.other.is_some() => format!(
            "flag `dev` does not apply to {target}: with {writable} ({other}) the union on it is writable, and `dev` applies to binds of host sources only; drop `dev` or {drop}"
        ),
        Problem::DevOnTmpfs => format!(
            "flag `dev` does not apply to a tmpfs ({target}): it holds no device nodes; drop `dev`"
        ),
        Problem::ReadOnlyTmpfs => {
            format!("a read-only tmpfs on {target} would stay empty; drop `ro`")
        }
        Problem::LayerRefused => format!(
            "{} cannot be a layer of the union on {target}: overlayfs refuses /proc, /sys and /dev as layers; bind it on its own target",
            source_text(at)
        ),
        Problem::OverlappingLayers => format!(
            "{} and {} overlap (one lies under the other) in the union on {target}, and overlayfs refuses that; drop one (the other is in {other})",
            source_text(at),
            error.other.as_ref().map(source_text).unwrap_or_default()
        ),
        Problem::UnderFile => {
            let parent = error.other.as_ref();
            let (what, has) = match parent.and_then(Entry::made) {
                Some(Made::Symlink(_)) => ("link", "a link"),
                Some(Made::File { .. }) => ("file", "a file"),
                _ => ("file mount", "a file"),
            };
            format!(
                "{target} lies under {}, a {what} ({other}); {has} has no children",
                parent_target(error)
            )
        }
        Problem::Shared => {
            let made = at
                .made()
                .or_else(|| error.other.as_ref().and_then(Entry::made))
                .map_or("", Made::keyword);
            format!(
                "{target} is also the target of {other}; what `{made}` makes stands alone on its target: keep one statement"
            )
        }
        Problem::UnderProc => format!(
            "{target} lies under {}, a fresh procfs ({other}); nothing can be mounted or made inside it",
            parent_target(error)
        ),
        Problem::InHost if error.other.as_ref().is_some_and(|o| o.target == "/") => format!(
            "{target} would be made in the host's directory bound on \"/\" by {other}; make it in a tmpfs, or make \"/\" a union (its lowest layer holds what is made in the root)"
        ),
        Problem::InHost => format!(
            "{target} would be made in the host's {}, bound by {other}; make it in a tmpfs or in the new root",
            error.other.as_ref().map_or("", |o| o.target.as_str())
        ),
        // Written by `upper_message`.
        Problem::UpperAlone
        | Problem::TwoUppers
        | Problem::UpperOverLayer
        | Problem::SharedUpper => String::new(),
    };
    at_statement(error, message)
}

/// The error at the statement of `at`, naming it when it came through an include.
fn at_statement(error: &Conflict<Origin>, message: String) -> syn::Error {
    let at = &error.at;
    if at.origin.via.is_empty() {
        match (&error.problem, source_span(at)) {
            // At the repeated source itself, the second of the two.
            (Problem::SameSource, Some(span)) => syn::Error::new(span, message),
            _ => syn::Error::new_spanned(&at.origin.stmt, message),
        }
    } else {
        syn::Error::new_spanned(
            &at.origin.stmt,
            format!("{message}; the statement here is {}", at.origin.describe()),
        )
    }
}

/// What makes the union of `error` writable (a tmpfs, or the host's upper directories),
/// and the same as what to drop.
fn writable_layer(error: &Conflict<Origin>) -> (&'static str, &'static str) {
    match error.other.as_ref().map(|other| &other.what) {
        Some(What::Writable(Writable::Upper(_))) => {
            ("the upper directories", "the upper directories")
        }
        _ => ("a tmpfs", "the tmpfs"),
    }
}

/// The message of a problem with a union's host upper and work directories, if it is
/// one.
fn upper_message(error: &Conflict<Origin>, target: &str, other: &str) -> Option<String> {
    let upper_other = writable_layer(error).0 == "the upper directories";
    Some(match error.problem {
        Problem::UpperAlone => format!(
            "`upper(..)` on {target} has nothing to lay its writes over; add the directories it covers, such as `bind {target} [\"/srv/lower/\", upper(..)]`, or bind the directory itself"
        ),
        Problem::TwoUppers => format!(
            "a union takes one writable layer, and {target} has two (the other is {other}); keep the tmpfs or the upper directories"
        ),
        Problem::UpperOverLayer => format!(
            "the upper or work directory of the union on {target} is, holds or lies in its layer {} ({other}), which overlayfs refuses; keep them apart",
            error.other.as_ref().map(source_text).unwrap_or_default()
        ),
        Problem::SharedUpper => format!(
            "the union on {target} shares its upper or work directory with {other}: overlayfs lets each pair serve one union at a time; give each union directories of its own"
        ),
        Problem::InHost if upper_other => format!(
            "{target} would be made in the host's upper directory of the union on {} ({other}); make it in a tmpfs or in the new root",
            parent_target(error)
        ),
        _ => return None,
    })
}

/// The target of the mount that `error.at` lies in, quoted.
fn parent_target(error: &Conflict<Origin>) -> String {
    error
        .other
        .as_ref()
        .map(|o| quoted(&o.target, o.dir))
        .unwrap_or_default()
}

/// A source as the statement wrote it: a path quoted, `tmpfs(..)`, `param(NAME)` or a
/// constant's expression.
fn source_text<O>(entry: &Entry<O>) -> String {
    match &entry.what {
        What::Host(Host::Path(path, _)) => format!("{path:?}"),
        What::Host(Host::Slot(name, _)) => format!("`param({name})`"),
        What::Host(Host::Constant { expr, .. }) => format!("`{}`", expr.to_token_stream()),
        What::Writable(Writable::Tmpfs(tmpfs)) if tmpfs.options.is_empty() => "`tmpfs`".into(),
        What::Writable(Writable::Tmpfs(tmpfs)) => format!("`tmpfs({:?})`", tmpfs.options),
        What::Writable(Writable::Upper(_)) => "`upper(..)`".into(),
        What::Host(Host::Included { .. }) | What::Made(_) => "one source".into(),
    }
}

/// Where a source was written, if in this declaration.
fn source_span<O>(entry: &Entry<O>) -> Option<Span> {
    match &entry.what {
        What::Host(host) => host.span(),
        What::Writable(_) | What::Made(_) => None,
    }
}

//! `assert` statements: properties of the composed table (its includes spliced in,
//! collapsed), each a compile error at the assertion when the table breaks it.
//!
//! The macro checks what it can read: literal sources, flags, settings. Sources that
//! only const evaluation knows (constants, packages and their inputs, sources of
//! namespaces of other invocations) are checked by `const` items it emits, spanned at the
//! assertion, so they stay compile errors. Run-time sources (`param(NAME)`, and every
//! source as the host's links resolve it) are checked when entering, against the hidden
//! paths the table carries (`runtime/src/enter/hidden.rs`).
//!
//! Each kind of assertion is a variant of [`Property`] with its check in [`check_one`]; a
//! new kind (say, `caps [..]` once capabilities are a statement) adds a variant, its
//! parsing, and an arm there.

use mountns_paths::caps;
use mountns_paths::words::UNSHARE;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, LitStr};

use crate::model::{
    Asserted, DEV, Entry, Host, Kind, Listed, Made, Mount, Origin, Property, READ_ONLY, Settings,
    Site, is_under, quoted,
};
use crate::parse::{Assert, Assertion};
use crate::valid;

impl Site {
    /// `assertion "hidden /home/"`, and `of NAME` for one that came through includes.
    fn name(&self, text: &str) -> String {
        if self.via.is_empty() {
            format!("assertion \"{text}\"")
        } else {
            format!("assertion \"{text}\" of {}", self.via.join(" > "))
        }
    }

    /// An error at `span` in the assertion, or at the include that brought it.
    fn error(&self, span: Span, message: String) -> syn::Error {
        if self.via.is_empty() {
            syn::Error::new(span, message)
        } else {
            syn::Error::new_spanned(&self.stmt, message)
        }
    }

    /// Where a const check of this assertion points.
    fn span(&self, span: Span) -> Span {
        if self.via.is_empty() {
            span
        } else {
            self.stmt
                .clone()
                .into_iter()
                .next()
                .map_or(span, |token| token.span())
        }
    }
}

/// The values of an `assert` statement checked: the assertion, or each message and the
/// span it belongs at.
pub fn checked(assert: &Assert) -> Result<Property, Vec<(Span, String)>> {
    let mut errors = Vec::new();
    let what = match &assert.assertion {
        Assertion::Hidden(paths, span) => Property::Hidden(paths_of(
            paths,
            *span,
            valid::source,
            "empty list; name the host paths the program must never see, such as [\"/home/\"] (an empty list would assert nothing)",
            &mut errors,
        )),
        Assertion::ReadOnly(None) => Property::ReadOnly(Vec::new()),
        Assertion::ReadOnly(Some((targets, span))) => Property::ReadOnly(paths_of(
            targets,
            *span,
            |target| valid::target(target).map(|target| target.path),
            "empty list of exceptions; write `assert readonly;` for none",
            &mut errors,
        )),
        Assertion::Unshared(words, span) => Property::Unshared(unshared(words, *span, &mut errors)),
        Assertion::Caps(words, span) => Property::Caps(caps(words, *span, &mut errors), *span),
        Assertion::NoDev => Property::NoDev(
            assert
                .tokens
                .clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |token| token.span()),
        ),
    };
    if errors.is_empty() {
        Ok(what)
    } else {
        Err(errors)
    }
}

/// The paths of a list, each checked by `check` and normalized; the list not empty and
/// no path twice.
fn paths_of(
    literals: &[LitStr],
    span: Span,
    check: impl Fn(&str) -> Result<String, String>,
    empty: &str,
    errors: &mut Vec<(Span, String)>,
) -> Vec<Listed> {
    if literals.is_empty() {
        errors.push((span, empty.to_owned()));
    }
    let mut paths: Vec<Listed> = Vec::new();
    for literal in literals {
        let written = literal.value();
        match check(&written) {
            Ok(path) if paths.iter().any(|p| p.path == path) => {
                errors.push((
                    literal.span(),
                    format!("{written:?} is given twice; keep one"),
                ));
            }
            Ok(path) => paths.push(Listed {
                path,
                written,
                span: literal.span(),
            }),
            Err(message) => errors.push((literal.span(), message)),
        }
    }
    paths
}

/// The namespaces of `unshared [..]`: the words of `unshare [..]`.
fn unshared(
    words: &[Ident],
    span: Span,
    errors: &mut Vec<(Span, String)>,
) -> Vec<(u32, String, Span)> {
    let known: Vec<String> = UNSHARE
        .iter()
        .map(|(word, _)| format!("`{word}`"))
        .collect();
    if words.is_empty() {
        errors.push((
            span,
            format!(
                "empty list; name the namespaces the table must not share with the host: {}",
                known.join(", ")
            ),
        ));
    }
    let mut namespaces: Vec<(u32, String, Span)> = Vec::new();
    for word in words {
        let text = word.to_string();
        let message = match UNSHARE.iter().position(|(name, _)| *name == text) {
            Some(position) if namespaces.iter().any(|(bit, ..)| *bit == 1 << position) => {
                format!("`{text}` is given twice; keep one")
            }
            Some(position) => {
                namespaces.push((1 << position, text, word.span()));
                continue;
            }
            None if text == "mount" || text == "mnt" => {
                "the mount namespace is always the table's own; remove `mount`".to_owned()
            }
            None if text == "user" => {
                "a user namespace is made only when entering without root, so it cannot be asserted; remove `user`".to_owned()
            }
            None => format!(
                "unknown namespace `{text}`; expected {}",
                known.join(", ")
            ),
        };
        errors.push((word.span(), message));
    }
    namespaces
}

/// The capabilities of `assert caps [..]`: none for an empty list, as `caps [..]` reads
/// the words otherwise.
fn caps(words: &[Ident], span: Span, errors: &mut Vec<(Span, String)>) -> u64 {
    if words.is_empty() {
        return 0;
    }
    let text: Vec<String> = words.iter().map(ToString::to_string).collect();
    valid::caps(&text).unwrap_or_else(|(index, message)| {
        errors.push((index.map_or(span, |index| words[index].span()), message));
        0
    })
}

/// One check to run: an assertion, or one path or namespace of it.
enum Check<'a> {
    Hidden(&'a Listed, &'a Site),
    ReadOnly(&'a [Listed], &'a Site),
    Unshared(u32, &'a str, Span, &'a Site),
    NoDev(Span, &'a Site),
    Caps(u64, Span, &'a Site),
}

impl Check<'_> {
    /// What tells two checks apart: the same path asserted hidden twice (a profile
    /// included twice, or asserted by the table too) is checked once.
    fn key(&self) -> String {
        match self {
            Check::Hidden(path, _) => format!("hidden {}", path.path),
            Check::ReadOnly(except, _) => {
                let except: Vec<&str> = except.iter().map(|p| p.path.as_str()).collect();
                format!("readonly {except:?}")
            }
            Check::Unshared(bit, ..) => format!("unshared {bit}"),
            Check::NoDev(..) => "no_dev".to_owned(),
            Check::Caps(bits, ..) => format!("caps {bits}"),
        }
    }
}

/// Every check of the table's assertions, its own first, each once.
fn checks(settings: &Settings) -> Vec<Check<'_>> {
    let mut assertions: Vec<&Asserted> = settings.assertions.iter().collect();
    assertions.sort_by_key(|asserted| !asserted.site.via.is_empty());
    let mut checks: Vec<Check> = Vec::new();
    for Asserted { what, site } in assertions {
        let more: Vec<Check> = match what {
            Property::Hidden(paths) => paths.iter().map(|path| Check::Hidden(path, site)).collect(),
            Property::ReadOnly(except) => vec![Check::ReadOnly(except, site)],
            Property::Unshared(namespaces) => namespaces
                .iter()
                .map(|(bit, word, span)| Check::Unshared(*bit, word, *span, site))
                .collect(),
            Property::NoDev(span) => vec![Check::NoDev(*span, site)],
            Property::Caps(bits, span) => vec![Check::Caps(*bits, *span, site)],
        };
        for check in more {
            if !checks.iter().any(|seen| seen.key() == check.key()) {
                checks.push(check);
            }
        }
    }
    checks
}

/// The nodes of the host's `/dev` that `dev` binds (`runtime/src/enter/dev.rs`).
const DEV_NODES: [&str; 6] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
];

/// A host path a mount shows that the macro can read, with where the entry that put it
/// there came from and where it is: `the source of the bind on "/usr/"`.
struct Shown<'a> {
    path: &'a str,
    origin: &'a Origin,
    place: String,
    /// One of the host's nodes in a fresh `/dev`.
    dev_node: bool,
}

/// The host paths of `mount` that are literals, and the nodes a `dev` binds.
fn shown(mount: &Mount<Origin>) -> Vec<Shown<'_>> {
    let target = quoted(&mount.target, mount.dir);
    match &mount.kind {
        Kind::Bind(entry) => entry
            .what
            .path()
            .map(|path| Shown {
                path,
                origin: &entry.origin,
                place: format!("the source of the bind on {target}"),
                dev_node: false,
            })
            .into_iter()
            .collect(),
        Kind::Union { lowers, .. } => lowers
            .iter()
            .filter_map(|entry| {
                entry.what.path().map(|path| Shown {
                    path,
                    origin: &entry.origin,
                    place: format!("a layer of the union on {target}"),
                    dev_node: false,
                })
            })
            .collect(),
        Kind::Make(entry) if matches!(entry.what, Made::Dev) => DEV_NODES
            .iter()
            .map(|path| Shown {
                path,
                origin: &entry.origin,
                place: format!("a host node bound in the fresh /dev on {target}"),
                dev_node: true,
            })
            .collect(),
        Kind::Tmpfs(_) | Kind::Make(_) => Vec::new(),
    }
}

/// Whether `path` is `other` or lies under it.
fn at_or_under(path: &str, other: &str) -> bool {
    path == other || is_under(path, other)
}

/// How a host path breaks `hidden` (or `no_dev`'s `/dev`): it is the hidden path or
/// lies under it, it holds it, or it is the host's procfs, whose `/proc/PID/root`
/// links reach every path of the host. `None` if it keeps it hidden.
fn exposes(path: &str, hidden: &str, written: &str) -> Option<String> {
    if at_or_under(path, hidden) {
        Some(format!("{path:?}"))
    } else if is_under(hidden, path) {
        Some(format!("{path:?}, which holds {written},"))
    } else if at_or_under(path, "/proc") {
        Some(format!(
            "{path:?}, the host's procfs (its /proc/PID/root reaches {written}),"
        ))
    } else {
        None
    }
}

/// The assertions broken by what the macro can read of the composed table: each an
/// error at the assertion, naming the statement at fault and how it got there.
pub fn check(mounts: &[Mount<Origin>], settings: &Settings) -> Vec<syn::Error> {
    checks(settings)
        .into_iter()
        .flat_map(|check| check_one(&check, mounts, settings))
        .collect()
}

fn check_one(check: &Check, mounts: &[Mount<Origin>], settings: &Settings) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    match *check {
        Check::Hidden(hidden, site) => {
            let name = site.name(&format!("hidden {}", hidden.written));
            for mount in mounts {
                for shown in shown(mount) {
                    if let Some(path) = exposes(shown.path, &hidden.path, &hidden.written) {
                        let message = format!(
                            "{name} fails: {path} is {}, from {}",
                            shown.place,
                            shown.origin.describe()
                        );
                        errors.push(site.error(hidden.span, message));
                    }
                }
            }
        }
        Check::ReadOnly(except, site) => {
            let name = site.name(&readonly_text(except));
            for mount in mounts {
                let Kind::Bind(entry) = &mount.kind else {
                    continue;
                };
                if !writable(mount, except) {
                    continue;
                }
                let source = match &entry.what {
                    Host::Path(path, _) => format!("{path:?}"),
                    Host::Slot(name, _) => format!("param({name})"),
                    // Known once expanded: a package with inputs is a read-only union.
                    _ => continue,
                };
                let target = quoted(&mount.target, mount.dir);
                let message = format!(
                    "{name} fails: {source} is bound writable on {target}, from {}; add `ro`, or list {target} in `except [..]`",
                    entry.origin.describe()
                );
                errors.push(site.error(site_span(&site.stmt), message));
            }
        }
        Check::Unshared(bit, word, span, site) => {
            if settings.unshare & bit == 0 {
                let name = site.name(&format!("unshared {word}"));
                let fix = match word {
                    "pid" => "add `unshare [pid];` or `proc \"/proc/\";`",
                    "uts" => "add `unshare [uts];` or a `hostname`",
                    _ => "",
                };
                let fix = if fix.is_empty() {
                    format!("add `unshare [{word}];`")
                } else {
                    fix.to_owned()
                };
                let message = format!(
                    "{name} fails: the table shares the host's {} namespace; {fix}",
                    namespace_name(word)
                );
                errors.push(site.error(span, message));
            }
        }
        Check::Caps(allowed, span, site) => errors.extend(caps_kept(allowed, span, site, settings)),
        Check::NoDev(span, site) => {
            let name = site.name("no_dev");
            for mount in mounts {
                for entry in mount.entries() {
                    if entry.flags & DEV != 0 {
                        let message = format!(
                            "{name} fails: {} makes device nodes work on {}; drop `dev`",
                            entry.origin.describe(),
                            quoted(&mount.target, mount.dir)
                        );
                        errors.push(site.error(span, message));
                    }
                }
                for shown in shown(mount).into_iter().filter(|shown| !shown.dev_node) {
                    if let Some(path) = exposes(shown.path, "/dev", "/dev") {
                        let message = format!(
                            "{name} fails: {path} is {}, from {}; for a /dev of its own write `dev \"/dev/\";`",
                            shown.place,
                            shown.origin.describe()
                        );
                        errors.push(site.error(span, message));
                    }
                }
            }
        }
    }
    errors
}

/// Whether `mount` is a bind without `ro` whose target no exception covers: its
/// writes reach the host (a tmpfs, a union's tmpfs upper and a read-only union never
/// write to it).
fn writable(mount: &Mount<Origin>, except: &[Listed]) -> bool {
    matches!(mount.kind, Kind::Bind(_))
        && mount.flags & READ_ONLY == 0
        && !except
            .iter()
            .any(|target| at_or_under(&mount.target, &target.path))
}

/// `readonly`, or `readonly except /src/, /tmp/`.
fn readonly_text(except: &[Listed]) -> String {
    if except.is_empty() {
        "readonly".to_owned()
    } else {
        let written: Vec<&str> = except.iter().map(|p| p.written.as_str()).collect();
        format!("readonly except {}", written.join(", "))
    }
}

/// The first token's span of a statement.
fn site_span(stmt: &TokenStream) -> Span {
    stmt.clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span())
}

/// What the word of `unshare [..]` names.
fn namespace_name(word: &str) -> &str {
    match word {
        "net" => "network",
        "ipc" => "IPC",
        "uts" => "UTS (host name)",
        other => other,
    }
}

/// The `const` checks of the sources that only const evaluation knows, each spanned at
/// its assertion. `source_of(n)` names the `const` holding the `Source` of the table's
/// `n`th expanded source.
pub fn consts(
    mounts: &[Mount<Origin>],
    settings: &Settings,
    source_of: impl Fn(usize) -> Ident,
) -> TokenStream {
    let private = quote!(::mountns::__private);
    let checks = checks(settings);
    let mut items = TokenStream::new();
    for mount in mounts {
        let target = quoted(&mount.target, mount.dir);
        let (expanded, place): (Vec<&Entry<Origin, Host>>, String) = match &mount.kind {
            Kind::Bind(entry) => (vec![entry], format!("a source of the mount on {target}")),
            Kind::Union { lowers, .. } => (
                lowers.iter().collect(),
                format!("a layer of the union on {target}"),
            ),
            Kind::Tmpfs(_) | Kind::Make(_) => continue,
        };
        for entry in expanded {
            let Some(source) = entry.what.source().map(&source_of) else {
                continue;
            };
            let by = entry.origin.describe();
            for check in &checks {
                let (hidden, site, span): (Vec<(&str, String, &str)>, &Site, Span) = match *check {
                    Check::Hidden(path, site) => (
                        vec![(
                            &path.path,
                            format!("hidden {}", path.written),
                            &path.written,
                        )],
                        site,
                        path.span,
                    ),
                    Check::NoDev(span, site) => {
                        (vec![("/dev", "no_dev".to_owned(), "/dev")], site, span)
                    }
                    Check::ReadOnly(except, site) => {
                        if writable(mount, except) {
                            let span = site.span(site_span(&site.stmt));
                            let name = site.name(&readonly_text(except));
                            let head = format!("mountns: {name} fails: ");
                            let tail = format!(
                                " is bound writable on {target}, from {by}; add `ro`, or list {target} in `except [..]`"
                            );
                            items.extend(quote_spanned! {span=>
                                const _: () = ::mountns::__private::assert_read_only(#source, #head, #tail);
                            });
                        }
                        continue;
                    }
                    // Known to the macro whatever the sources: checked above.
                    Check::Unshared(..) | Check::Caps(..) => continue,
                };
                let span = site.span(span);
                let of = if site.via.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", site.via.join(" > "))
                };
                let hidden = hidden.iter().map(|(path, text, written)| {
                    quote!(#private::HiddenPath { path: #path, assertion: #text, written: #written })
                });
                items.extend(quote_spanned! {span=>
                    const _: () = ::mountns::__private::assert_hidden(#source, &[#(#hidden),*], #of, #place, #by);
                });
            }
        }
    }
    items
}

/// `&[..]`: the paths the table asserts hidden (and `/dev` for `no_dev`), checked again
/// when entering, against the host's links and the run-time sources. `None` for a
/// table without them.
pub fn runtime(settings: &Settings) -> Option<TokenStream> {
    let private = quote!(::mountns::__private);
    let mut hidden: Vec<(String, String)> = Vec::new();
    for check in checks(settings) {
        let (written, text) = match check {
            Check::Hidden(path, _) => (path.written.clone(), format!("hidden {}", path.written)),
            Check::NoDev(..) => ("/dev/".to_owned(), "no_dev".to_owned()),
            Check::ReadOnly(..) | Check::Unshared(..) | Check::Caps(..) => continue,
        };
        hidden.push((written, text));
    }
    if hidden.is_empty() {
        return None;
    }
    let hidden = hidden.iter().map(|(written, text)| {
        let path = c_str(written);
        let text = c_str(text);
        quote!(#private::hidden(#path, #text))
    });
    Some(quote!(&[#(#hidden),*]))
}

/// A C string literal of checked text (paths have no NUL).
fn c_str(text: &str) -> syn::LitCStr {
    let text = std::ffi::CString::new(text).unwrap_or_default();
    syn::LitCStr::new(&text, Span::call_site())
}

/// `assert caps [..]`: each `caps` statement that keeps a capability `allowed` lacks.
fn caps_kept(allowed: u64, span: Span, site: &Site, settings: &Settings) -> Vec<syn::Error> {
    let shown: Vec<&str> = caps::words(allowed).collect();
    let name = site.name(&format!("caps [{}]", shown.join(", ")));
    let mut errors = Vec::new();
    for (bits, statement) in &settings.caps_statements {
        let extra = bits & !allowed;
        if extra != 0 {
            let extra: Vec<String> = caps::words(extra).map(|w| format!("`{w}`")).collect();
            let message = format!(
                "{name} fails: {statement} keeps {}; drop it there, or allow it here",
                extra.join(", ")
            );
            errors.push(site.error(span, message));
        }
    }
    errors
}

/// The assertions as statements, for the namespaces that include this one: they hold
/// over the includer's composed table too.
pub fn statements(settings: &Settings) -> TokenStream {
    let mut statements = TokenStream::new();
    for Asserted { what, .. } in &settings.assertions {
        let literals = |paths: &[Listed]| -> Vec<LitStr> {
            paths
                .iter()
                .map(|path| LitStr::new(&path.written, Span::call_site()))
                .collect()
        };
        statements.extend(match what {
            Property::Hidden(paths) => {
                let paths = literals(paths);
                quote!(assert hidden [#(#paths),*];)
            }
            Property::ReadOnly(except) if except.is_empty() => quote!(assert readonly;),
            Property::ReadOnly(except) => {
                let except = literals(except);
                quote!(assert readonly except [#(#except),*];)
            }
            Property::Unshared(namespaces) => {
                let words = namespaces
                    .iter()
                    .map(|(_, word, _)| Ident::new(word, Span::call_site()));
                quote!(assert unshared [#(#words),*];)
            }
            Property::NoDev(_) => quote!(assert no_dev;),
            Property::Caps(bits, _) => {
                let words = caps::words(*bits).map(|word| Ident::new(word, Span::call_site()));
                quote!(assert caps [#(#words),*];)
            }
        });
    }
    statements
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    fn emitted(text: &str) -> String {
        let tokens = TokenStream::from_str(text).unwrap();
        crate::expand::namespace(tokens, crate::expand::Grammar::Public)
            .unwrap()
            .to_string()
    }

    #[test]
    fn assertions_are_restated_for_includers_and_their_paths_carried() {
        let emitted = emitted(
            r#"static NS = {
                bind ro "/usr/";
                unshare [net];
                assert hidden ["/home/", "/root/"];
                assert readonly except ["/tmp/"];
                assert unshared [net];
                assert no_dev;
                assert hidden ["/home/"];
            };"#,
        );
        for statement in [
            r#"assert hidden ["/home/" , "/root/"] ;"#,
            r#"assert readonly except ["/tmp/"] ;"#,
            "assert unshared [net] ;",
            "assert no_dev ;",
        ] {
            assert!(emitted.contains(statement), "{statement} in {emitted}");
        }
        // Each path once, `/dev/` for `no_dev`.
        let hidden = r#":: mountns :: __private :: with_hidden (table , & [:: mountns :: __private :: hidden (c"/home/" , c"hidden /home/") , :: mountns :: __private :: hidden (c"/root/" , c"hidden /root/") , :: mountns :: __private :: hidden (c"/dev/" , c"no_dev")])"#;
        assert!(emitted.contains(hidden), "{emitted}");
    }

    #[test]
    fn a_table_without_assertions_emits_nothing_of_them() {
        let emitted = emitted(r#"static NS = { bind ro "/usr/"; bind "/x/" X; };"#);
        assert!(!emitted.contains("with_hidden"), "{emitted}");
        assert!(!emitted.contains("assert_"), "{emitted}");
        assert!(!emitted.contains("assert "), "{emitted}");
    }

    #[test]
    fn a_constant_is_checked_by_a_const_at_the_assertion() {
        let emitted = emitted(
            r#"static NS = { bind "/x/" X; bind ro "/y/" Y; assert hidden ["/home/"]; assert readonly; };"#,
        );
        // Both constants against the hidden path; only the writable one for readonly.
        assert_eq!(emitted.matches("assert_hidden").count(), 2, "{emitted}");
        assert_eq!(emitted.matches("assert_read_only").count(), 1, "{emitted}");
    }
}

//! The syscall statements of a declaration and its includes (`syscalls deny [..]`,
//! `syscalls allow [..]`, `syscalls errno(..)`, `sockets [..]`, `no_userns`): each
//! checked as it comes, composed, resolved to a `mountns_seccomp::Policy`, and
//! re-stated for the namespaces that include this one.
//!
//! Composition: deny lists unite; allow lists intersect (a call runs only if every
//! list allows it); a call both allowed and denied through groups is denied; the same
//! call named in an allow and a deny statement is an error naming both; one errno;
//! socket lists intersect.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::str::FromStr;

use mountns_seccomp::{Policy, groups, tables};
use proc_macro2::{Span, TokenStream};
use syn::Ident;

use crate::model::{List, Syscalls};
use crate::parse::Call;

/// How a statement is named in messages, given its text: its text and the includes
/// it came through.
pub type Describe<'a> = &'a dyn Fn(&str) -> String;

impl Syscalls {
    /// `syscalls deny [..]` or `syscalls allow [..]`: each call and group checked,
    /// then checked against the statements before. Returns the errors found.
    pub fn list(
        &mut self,
        allow: bool,
        calls: &[Call],
        bracket: Span,
        describe: Describe,
    ) -> Vec<syn::Error> {
        let kind = if allow { "allow" } else { "deny" };
        if calls.is_empty() {
            return vec![syn::Error::new(
                bracket,
                format!(
                    "empty list of syscalls; name at least one call or group: `syscalls {kind} [@mount, ptrace];`"
                ),
            )];
        }
        let mut errors = Vec::new();
        for call in calls {
            if let Some(message) = unknown_call(&call.name) {
                errors.push(syn::Error::new_spanned(&call.tokens, message));
            }
        }
        if !errors.is_empty() {
            return errors;
        }
        let names: Vec<String> = calls.iter().map(|call| call.name.clone()).collect();
        let here = describe(&format!("syscalls {kind} [{}]", names.join(", ")));
        let others = if allow { &self.deny } else { &self.allow };
        for call in calls.iter().filter(|call| !call.is_group()) {
            for other in others
                .iter()
                .filter(|other| other.items.contains(&call.name))
            {
                errors.push(syn::Error::new_spanned(
                    &call.tokens,
                    format!(
                        "`{}` is both allowed and denied: {here} here and {} before; remove it from one",
                        call.name, other.described
                    ),
                ));
            }
        }
        let execve = expand(&names).contains("execve");
        if allow && !execve {
            errors.push(syn::Error::new(
                bracket,
                "this allow list leaves out `execve`, so the program could not start; add `execve` or `@default`",
            ));
        }
        if !allow && execve {
            errors.push(syn::Error::new(
                bracket,
                "this deny list refuses `execve`, so the program could not start; remove it",
            ));
        }
        if errors.is_empty() {
            let list = List {
                items: names,
                described: here,
            };
            if allow {
                self.allow.push(list);
            } else {
                self.deny.push(list);
            }
        }
        errors
    }

    /// `syscalls errno(NAME);`
    pub fn errno(&mut self, name: &Ident, describe: Describe) -> Option<String> {
        let word = name.to_string();
        let Some(value) = mountns_seccomp::errno(&word) else {
            let errnos = tables::ERRNOS.iter().map(|(name, _)| *name);
            return Some(format!(
                "unknown errno `{word}`{}",
                suggestion(&word, errnos, "such as `EPERM`")
            ));
        };
        let here = describe(&format!("syscalls errno({word})"));
        match &self.errno {
            Some((first, _)) if mountns_seccomp::errno(first) == Some(value) => None,
            Some((_, there)) => Some(format!(
                "two different errnos: {here} here and {there} before; keep one"
            )),
            None => {
                self.errno = Some((word, here));
                None
            }
        }
    }

    /// `sockets [..];`
    pub fn sockets(
        &mut self,
        words: &[Ident],
        bracket: Span,
        describe: Describe,
    ) -> Vec<syn::Error> {
        if words.is_empty() {
            return vec![syn::Error::new(
                bracket,
                "empty list of address families; name those the program may use: `sockets [unix, inet, inet6];`",
            )];
        }
        let errors: Vec<syn::Error> = words
            .iter()
            .filter_map(|word| {
                let name = word.to_string();
                if mountns_seccomp::family(&name).is_some() {
                    return None;
                }
                let families = tables::FAMILIES.iter().map(|(name, _)| *name);
                let hint = suggestion(
                    &name,
                    families,
                    "such as `unix`, `inet`, `inet6` or `netlink`",
                );
                Some(syn::Error::new(
                    word.span(),
                    format!("unknown address family `{name}`{hint}"),
                ))
            })
            .collect();
        if errors.is_empty() {
            let items: Vec<String> = words.iter().map(ToString::to_string).collect();
            let described = describe(&format!("sockets [{}]", items.join(", ")));
            self.sockets.push(List { items, described });
        }
        errors
    }

    /// The policy the statements make.
    pub fn policy(&self) -> Policy {
        let intersection = |lists: &[List], each: &dyn Fn(&List) -> BTreeSet<String>| {
            lists.iter().map(each).reduce(|all, next| &all & &next)
        };
        let expanded = |list: &List| expand(&list.items);
        Policy {
            allow: intersection(&self.allow, &expanded),
            deny: self.deny.iter().flat_map(expanded).collect(),
            errno: self
                .errno
                .as_ref()
                .and_then(|(name, _)| mountns_seccomp::errno(name)),
            sockets: intersection(&self.sockets, &|list| list.items.iter().cloned().collect()).map(
                |names| {
                    names
                        .iter()
                        .filter_map(|name| mountns_seccomp::family(name))
                        .collect()
                },
            ),
            no_userns: self.no_userns,
        }
    }

    /// The statements again, for a namespace that includes this one: each list as it
    /// was written, so that composing them there gives the same policy.
    pub fn statements(&self) -> TokenStream {
        let mut text = String::new();
        for (kind, lists) in [("deny", &self.deny), ("allow", &self.allow)] {
            for list in lists {
                let _ = write!(text, "syscalls {kind} [{}];", list.items.join(", "));
            }
        }
        if let Some((name, _)) = &self.errno {
            let _ = write!(text, "syscalls errno({name});");
        }
        for list in &self.sockets {
            let _ = write!(text, "sockets [{}];", list.items.join(", "));
        }
        if self.no_userns {
            text += "no_userns;";
        }
        TokenStream::from_str(&text).unwrap_or_default()
    }
}

/// The calls of `items` (calls and groups), the groups expanded.
fn expand(items: &[String]) -> BTreeSet<String> {
    items
        .iter()
        .flat_map(|item| {
            groups::expand(item).map_or_else(
                || vec![item.clone()],
                |names| names.into_iter().map(String::from).collect(),
            )
        })
        .collect()
}

/// The message for a call or group no table knows, with the nearest name.
fn unknown_call(name: &str) -> Option<String> {
    if let Some(group) = name.strip_prefix('@') {
        if groups::group(name).is_some() {
            return None;
        }
        let names = groups::GROUPS.iter().map(|group| group.name);
        let hint = suggestion(
            &format!("@{group}"),
            names,
            "such as `@mount` or `@system-service`",
        );
        return Some(format!("unknown syscall group `{name}`{hint}"));
    }
    if mountns_seccomp::is_syscall(name) {
        return None;
    }
    let mut names: Vec<&str> = mountns_seccomp::Arch::ALL
        .iter()
        .flat_map(|arch| arch.table().iter().map(|(name, _)| *name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let hint = suggestion(name, names.into_iter(), "such as `ptrace`");
    Some(format!("unknown syscall `{name}`{hint}"))
}

/// "; did you mean `NEAREST`?", or "; expected a name OTHERWISE".
fn suggestion<'a>(word: &str, names: impl Iterator<Item = &'a str>, otherwise: &str) -> String {
    match nearest(word, names) {
        Some(near) => format!("; did you mean `{near}`?"),
        None => format!("; expected a name {otherwise}"),
    }
}

/// The name closest to `word` by edit distance, if it is close enough to be a typo.
pub fn nearest<'a>(word: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    names
        .map(|name| (distance(&word, &name.to_lowercase()), name))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn nearest_names_a_typo_and_nothing_else() {
        let names = ["ptrace", "mount", "@mount", "EPERM"];
        assert_eq!(nearest("ptrase", names.into_iter()), Some("ptrace"));
        assert_eq!(nearest("@mont", names.into_iter()), Some("@mount"));
        assert_eq!(nearest("eprm", names.into_iter()), Some("EPERM"));
        assert_eq!(nearest("frobnicate", names.into_iter()), None);
    }
}

//! Flattening: one declaration's statements, with their includes spliced in, become
//! entries (one per target and source), each value checked and each entry knowing
//! the statement to blame.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Ident, LitStr, Path};

use crate::include::single_name;
use crate::model::{
    Asserted, Content, Entry, Errors, Host, Made, MadeKind, Origin, RW, Settings, Site, Tmpfs,
    UNSHARE_PID, UNSHARE_UTS, UpperPart, What, Writable, is_under,
};
use crate::parse::{
    Assert, Bind, Body, ContentArg, Decl, Include, LimitEntry, LimitValue, Make, Making, Setting,
    SettingValue, Source, Stmt,
};
use crate::valid;

/// What flattening passes down into an include.
#[derive(Clone)]
struct Context<'a> {
    /// The top-level include statement, once inside one.
    stmt: Option<&'a TokenStream>,
    via: Vec<String>,
    /// The path of the resolved include whose `@src(N)` sources are being read.
    sources_of: Option<&'a Path>,
    /// Local declarations being flattened, to catch cycles.
    stack: Vec<String>,
}

struct Flattener<'a> {
    decls: &'a [Decl],
    errors: Errors,
    /// Statements reached so far: the `stmt` of the next one's entries.
    stmts: usize,
    /// Expanded sources so far (constants, sources of included namespaces): the
    /// index of the next one among the table's.
    sources: usize,
    /// The (valid) targets of statements dropped for an error.
    dropped: Vec<String>,
    /// The namespaces spliced in so far, by path: one reached again (a diamond of
    /// includes) is not spliced twice.
    spliced: Vec<String>,
    settings: Settings,
    /// The declaration's own `caps` statement, once reached: a second is an error.
    own_caps: Option<String>,
    /// The error for the first `connect` or `bind_ports`, reported if no statement
    /// turns Landlock on.
    needs_landlock: Option<syn::Error>,
    /// The error for the first `timeout`, reported if `as_pid_1` leaves no pid 1 of
    /// mountns's to keep it.
    needs_init: Option<syn::Error>,
}

/// Where the errors of one statement point: at the literal at fault, or, for a
/// statement that came through an include, at that include.
struct Blame<'a> {
    stmt: &'a TokenStream,
    included: bool,
}

impl Blame<'_> {
    fn new<'a>(cx: &Context<'a>, own: &'a TokenStream) -> Blame<'a> {
        Blame {
            stmt: cx.stmt.unwrap_or(own),
            included: cx.stmt.is_some(),
        }
    }

    fn error(&self, span: Span, message: &str) -> syn::Error {
        if self.included {
            syn::Error::new_spanned(self.stmt, format!("in an included statement: {message}"))
        } else {
            syn::Error::new(span, message)
        }
    }
}

impl<'a> Flattener<'a> {
    fn body(&mut self, body: &'a Body, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        for stmt in &body.stmts {
            match stmt {
                Stmt::Bind(bind) => self.bind(bind, cx, out),
                Stmt::Make(make) => self.make(make, cx, out),
                Stmt::Setting(setting) => self.setting(setting, cx),
                Stmt::Include(include) => self.include(include, cx, out),
                Stmt::Assert(assert) => self.assertion(assert, cx),
            }
        }
    }

    fn include(&mut self, include: &'a Include, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        let mut inner = cx.clone();
        inner.stmt = Some(cx.stmt.unwrap_or(&include.tokens));
        let shown = include.path.to_token_stream().to_string().replace(' ', "");
        inner.via.push(shown.clone());
        if let Some((body, _)) = &include.resolved {
            if self.spliced.contains(&shown) {
                return;
            }
            self.spliced.push(shown);
            inner.sources_of = Some(&include.path);
            self.body(body, &inner, out);
            return;
        }
        let name = single_name(&include.path);
        let Some(decl) = self.decls.iter().find(|d| Some(d.name.to_string()) == name) else {
            self.errors.push(syn::Error::new_spanned(
                &include.tokens,
                "mountns internal error: an include was left unresolved",
            ));
            return;
        };
        let name = decl.name.to_string();
        if let Some(first) = cx.stack.first().filter(|_| cx.stack.contains(&name)) {
            let through = if *first == name {
                cx.stack[1..].join("`, `")
            } else {
                cx.stack.join("`, `")
            };
            let message = if through.is_empty() {
                format!("namespace `{name}` includes itself; remove this include")
            } else {
                format!(
                    "namespace `{name}` includes itself through `{through}`; remove one of the includes"
                )
            };
            self.errors
                .push(syn::Error::new_spanned(&include.tokens, message));
            return;
        }
        if self.spliced.contains(&shown) {
            return;
        }
        self.spliced.push(shown);
        inner.stack.push(name);
        inner.sources_of = None;
        self.body(&decl.body, &inner, out);
    }

    fn bind(&mut self, bind: &'a Bind, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        let blame = Blame::new(cx, &bind.tokens);
        let stmt = blame.stmt;
        let mut failed = false;
        let mut error = |this: &mut Self, span: Span, message: String| {
            failed = true;
            this.errors.push(blame.error(span, &message));
        };

        let mut flags = 0;
        for word in &bind.flags {
            match valid::flag(&word.to_string()) {
                Ok(bits) if flags & bits != 0 => {
                    error(
                        self,
                        word.span(),
                        format!("flag `{word}` is given twice; keep one"),
                    );
                }
                Ok(bits) => flags |= bits,
                Err(message) => error(self, word.span(), message),
            }
        }
        if bind.target_list && !bind.sources.is_empty() {
            let span = bind.sources[0].span();
            error(
                self,
                span,
                "a list of targets binds each path onto itself and takes no source; write one statement per target".into(),
            );
        }
        let mut targets = Vec::new();
        for lit in &bind.targets {
            match valid::target(&lit.value()) {
                Ok(target) => targets.push((target, lit.span())),
                Err(message) => error(self, lit.span(), message),
            }
        }
        let mut sources = Vec::new();
        for source in &bind.sources {
            match checked_source(source, cx.sources_of) {
                Ok(source) => sources.push(source),
                Err(errors) => {
                    for (span, message) in errors {
                        error(self, span, message);
                    }
                }
            }
        }
        if failed {
            self.dropped
                .extend(targets.into_iter().map(|(target, _)| target.path));
            return;
        }
        let text = render(bind);
        let stmt_id = self.stmts;
        self.stmts += 1;
        for (target, target_span) in targets {
            let own = [What::Host(Host::Path(target.path.clone(), target_span))];
            let sources = if sources.is_empty() {
                &own[..]
            } else {
                &sources[..]
            };
            for what in sources {
                let what = self.numbered(what.clone());
                out.push(Entry {
                    target: target.path.clone(),
                    dir: target.dir,
                    flags,
                    what,
                    stmt: stmt_id,
                    row: 0,
                    origin: Origin {
                        stmt: stmt.clone(),
                        text: text.clone(),
                        via: cx.via.clone(),
                        target_span,
                    },
                });
            }
        }
    }

    /// A source as the entry gets it: an expanded source numbered, the next among the
    /// table's (the index of its `static` in the emitted table, and its `@src(N)`).
    fn numbered(&mut self, mut what: What) -> What {
        if let What::Host(Host::Constant { source, .. } | Host::Included { source, .. }) = &mut what
        {
            *source = self.sources;
            self.sources += 1;
        }
        what
    }
}

impl<'a> Flattener<'a> {
    /// `proc`, `dev`, `dir`, `symlink` or `file`: one entry.
    fn make(&mut self, make: &'a Make, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        let blame = Blame::new(cx, &make.tokens);
        let kind = make.made.kind();
        let keyword = kind.keyword();
        let mut errors = Vec::new();
        let mut flags = 0;
        for flag in &make.flags {
            let message = match (kind, flag.to_string().as_str()) {
                (MadeKind::File, "rw") if flags & RW == 0 => {
                    flags |= RW;
                    continue;
                }
                (MadeKind::File, "rw") => format!("flag `{flag}` is given twice; keep one"),
                (MadeKind::File, "ro") => "a `file` is read-only unless `rw`; drop `ro`".to_owned(),
                (MadeKind::File, _) => format!(
                    "flag `{flag}` does not apply to `file`; it takes `rw` (the program may write the file)"
                ),
                _ => format!("flag `{flag}` does not apply to `{keyword}`; remove it"),
            };
            errors.push(blame.error(flag.span(), &message));
        }
        let mode = make.mode.as_ref().and_then(|mode| {
            let raw = mode.value.to_string();
            valid::mode(&raw, mode.value.suffix(), kind)
                .map_err(|message| errors.push(blame.error(mode.value.span(), &message)))
                .ok()
        });
        let target = valid::made_target(kind, &make.target.value())
            .map_err(|message| errors.push(blame.error(make.target.span(), &message)))
            .ok();
        let what = match &make.made {
            Making::Proc => Some(Made::Proc),
            Making::Dev => Some(Made::Dev),
            Making::Dir => Some(Made::Dir { mode }),
            Making::Symlink(text) => {
                let value = text.value();
                if let Err(message) = valid::link_text(&value) {
                    errors.push(blame.error(text.span(), &message));
                }
                Some(Made::Symlink(value))
            }
            Making::File(content) => {
                let content = match content {
                    ContentArg::Expr(expr) => Some(Content::Expr(expr.clone())),
                    ContentArg::Param(name) => Some(Content::Slot(name.to_string(), name.span())),
                    ContentArg::Included { row, span } => {
                        let from = cx
                            .sources_of
                            .cloned()
                            .map(|from| Content::Included { from, row: *row });
                        if from.is_none() {
                            errors.push(blame.error(*span, "`@content` is internal to mountns"));
                        }
                        from
                    }
                };
                content.map(|content| Made::File { content, mode })
            }
        };
        let failed = !errors.is_empty();
        for error in errors {
            self.errors.push(error);
        }
        let Some(target) = target else { return };
        let Some(what) = what.filter(|_| !failed) else {
            self.dropped.push(target.path);
            return;
        };
        if kind == MadeKind::Proc {
            self.settings.unshare |= UNSHARE_PID;
        }
        let stmt = self.stmts;
        self.stmts += 1;
        out.push(Entry {
            target: target.path,
            dir: target.dir,
            flags,
            what: What::Made(what),
            stmt,
            row: 0,
            origin: Origin {
                stmt: blame.stmt.clone(),
                text: render_make(make),
                via: cx.via.clone(),
                target_span: make.target.span(),
            },
        });
    }

    /// `unshare [..];`, `hostname "..";`, `new_session;`, `caps [..];`, `uid N;`,
    /// `gid N;` or `groups [..];`: merged into the settings.
    fn setting(&mut self, setting: &'a Setting, cx: &Context<'a>) {
        let blame = Blame::new(cx, &setting.tokens);
        match &setting.value {
            SettingValue::Unshare(words, span) => {
                match valid::unshare(&words.iter().map(ToString::to_string).collect::<Vec<_>>()) {
                    Ok(bits) => self.settings.unshare |= bits,
                    Err((index, message)) => {
                        let at = index.map_or(*span, |index| words[index].span());
                        self.errors.push(blame.error(at, &message));
                    }
                }
            }
            SettingValue::Hostname(name) => self.hostname(name, &blame, cx),
            SettingValue::NewSession => self.settings.new_session = true,
            SettingValue::Caps(words, span) => self.caps(words, *span, &blame, cx),
            SettingValue::Uid(lit) => {
                if let Some(uid) = self.id(lit, "user id", &blame) {
                    let here = Origin::describe_text(&format!("uid {uid}"), &cx.via);
                    let error = self.one_value(|s| &mut s.uid, uid, here, "user ids");
                    self.push_at(error, &blame, lit.span());
                }
            }
            SettingValue::Gid(lit) => {
                if let Some(gid) = self.id(lit, "group id", &blame) {
                    let here = Origin::describe_text(&format!("gid {gid}"), &cx.via);
                    let error = self.one_value(|s| &mut s.gid, gid, here, "group ids");
                    self.push_at(error, &blame, lit.span());
                }
            }
            SettingValue::Groups(lits, span) => {
                let mut groups: Vec<u32> = Vec::new();
                for lit in lits {
                    let Some(gid) = self.id(lit, "group id", &blame) else {
                        return;
                    };
                    if groups.contains(&gid) {
                        let message = format!("group {gid} is given twice; keep one");
                        self.errors.push(blame.error(lit.span(), &message));
                        return;
                    }
                    groups.push(gid);
                }
                let shown: Vec<String> = groups.iter().map(ToString::to_string).collect();
                let text = format!("groups [{}]", shown.join(", "));
                let here = Origin::describe_text(&text, &cx.via);
                let error = self.one_value(|s| &mut s.groups, groups, here, "lists of groups");
                self.push_at(error, &blame, *span);
            }
            SettingValue::Syscalls {
                allow,
                calls,
                bracket,
            } => {
                let describe = |text: &str| Origin::describe_text(text, &cx.via);
                let errors = self
                    .settings
                    .syscalls
                    .list(*allow, calls, *bracket, &describe);
                self.policy_errors(errors, &blame);
            }
            SettingValue::Errno(name) => {
                let describe = |text: &str| Origin::describe_text(text, &cx.via);
                if let Some(message) = self.settings.syscalls.errno(name, &describe) {
                    self.errors.push(blame.error(name.span(), &message));
                }
            }
            SettingValue::Sockets(words, bracket) => {
                let describe = |text: &str| Origin::describe_text(text, &cx.via);
                let errors = self.settings.syscalls.sockets(words, *bracket, &describe);
                self.policy_errors(errors, &blame);
            }
            SettingValue::NoUserns => self.settings.syscalls.no_userns = true,
            SettingValue::Landlock(word) => self.landlock(word.as_ref(), &blame),
            SettingValue::Ports { keyword, ports } => self.ports(keyword, ports, &blame),
            SettingValue::Limit(entries, span) => self.limits(entries, *span, &blame),
            SettingValue::Timeout(lit) => self.timeout(lit, &blame),
            SettingValue::AsPid1 => {
                self.settings.as_pid_1 = true;
                self.settings.unshare |= UNSHARE_PID;
            }
            SettingValue::Chdir(dir) => match valid::target(&dir.value()) {
                Ok(target) => {
                    let text = format!("chdir {:?}", dir.value());
                    let here = Origin::describe_text(&text, &cx.via);
                    let error = self.one_value(
                        |s| &mut s.chdir,
                        target.path,
                        here,
                        "directories to start in",
                    );
                    self.push_at(error, &blame, dir.span());
                }
                Err(message) => {
                    let message = message.replacen("target", "directory", 1);
                    self.errors.push(blame.error(dir.span(), &message));
                }
            },
            SettingValue::EnvClear => self.settings.env_clear = true,
            SettingValue::Env(name, value) => self.env(name, value, &blame, cx),
        }
    }

    /// `env "NAME" "value";`: a name once, whatever the includes.
    fn env(&mut self, name: &LitStr, value: &LitStr, blame: &Blame, cx: &Context<'a>) {
        let (name_text, value_text) = (name.value(), value.value());
        let bad_name = if name_text.is_empty() {
            Some("empty variable name; write one such as \"LANG\"".to_owned())
        } else if name_text.contains(['=', '\0']) {
            Some(format!(
                "variable name {name_text:?} contains `=` or a NUL byte, which end a name"
            ))
        } else {
            None
        };
        if let Some(message) = bad_name {
            self.errors.push(blame.error(name.span(), &message));
            return;
        }
        if value_text.contains('\0') {
            let message = format!("the value of {name_text} contains a NUL byte");
            self.errors.push(blame.error(value.span(), &message));
            return;
        }
        let here = Origin::describe_text(&format!("env {name_text:?} {value_text:?}"), &cx.via);
        match self.settings.env.iter().find(|(set, ..)| *set == name_text) {
            Some((_, first, _)) if *first == value_text => {}
            Some((_, _, there)) => {
                let message = format!(
                    "two different values of {name_text}: {here} here and {there} before; keep one"
                );
                self.errors.push(blame.error(value.span(), &message));
            }
            None => self.settings.env.push((name_text, value_text, here)),
        }
    }

    /// The errors of a syscall statement, pointing at the include that brought it in
    /// if it came through one.
    fn policy_errors(&mut self, errors: Vec<syn::Error>, blame: &Blame) {
        for error in errors {
            self.errors.push(if blame.included {
                blame.error(error.span(), &error.to_string())
            } else {
                error
            });
        }
    }

    /// `caps [..];`: the declaration's own statements have one list; included ones
    /// add theirs.
    fn caps(&mut self, words: &[Ident], span: Span, blame: &Blame, cx: &Context<'a>) {
        let text: Vec<String> = words.iter().map(ToString::to_string).collect();
        let bits = match valid::caps(&text) {
            Ok(bits) => bits,
            Err((index, message)) => {
                let at = index.map_or(span, |index| words[index].span());
                self.errors.push(blame.error(at, &message));
                return;
            }
        };
        if !blame.included {
            let here = format!("`caps [{}]`", text.join(", "));
            if let Some(first) = &self.own_caps {
                let message = format!(
                    "`caps` is given twice in this declaration ({here} here, {first} before); write one list"
                );
                self.errors.push(blame.error(span, &message));
                return;
            }
            self.own_caps = Some(here);
        }
        self.settings.caps |= bits;
        let described = Origin::describe_text(&format!("caps [{}]", text.join(", ")), &cx.via);
        self.settings.caps_statements.push((bits, described));
    }

    /// A user or group id, checked; `None` (its error pushed) if it is out of range.
    fn id(&mut self, lit: &syn::LitInt, what: &str, blame: &Blame) -> Option<u32> {
        let digits = lit.base10_parse::<u64>().map_err(|error| error.to_string());
        match valid::id(digits, what) {
            Ok(id) => Some(id),
            Err(message) => {
                self.errors.push(blame.error(lit.span(), &message));
                None
            }
        }
    }

    /// Sets a setting that must have one value throughout the declaration and its
    /// includes: the message if `value` differs from the one set before.
    fn one_value<T: PartialEq>(
        &mut self,
        slot: impl FnOnce(&mut Settings) -> &mut Option<(T, String)>,
        value: T,
        here: String,
        what: &str,
    ) -> Option<String> {
        let slot = slot(&mut self.settings);
        match slot {
            Some((first, _)) if *first == value => None,
            Some((_, there)) => Some(format!(
                "two different {what}: {here} here and {there} before; keep one"
            )),
            None => {
                *slot = Some((value, here));
                None
            }
        }
    }

    fn push_at(&mut self, message: Option<String>, blame: &Blame, span: Span) {
        if let Some(message) = message {
            self.errors.push(blame.error(span, &message));
        }
    }

    /// `assert ..;`: its values checked here, the assertion on the collapsed table
    /// (`assertions.rs`). One that came through an include is the includer's too.
    fn assertion(&mut self, assert: &'a Assert, cx: &Context<'a>) {
        let blame = Blame::new(cx, &assert.tokens);
        match crate::assertions::checked(assert) {
            Ok(what) => self.settings.assertions.push(Asserted {
                what,
                site: Site {
                    stmt: blame.stmt.clone(),
                    via: cx.via.clone(),
                },
            }),
            Err(errors) => {
                for (span, message) in errors {
                    self.errors.push(blame.error(span, &message));
                }
            }
        }
    }

    /// `landlock;` or `landlock strict;`: strict if any statement says so.
    fn landlock(&mut self, word: Option<&Ident>, blame: &Blame) {
        match word {
            None => {
                self.settings.landlock.get_or_insert(false);
            }
            Some(word) if word == "strict" => self.settings.landlock = Some(true),
            Some(word) => self.errors.push(blame.error(
                word.span(),
                &format!(
                    "unknown Landlock mode `{word}`; write `landlock;` (what the kernel supports) or `landlock strict;` (all of it, or fail)"
                ),
            )),
        }
    }

    /// `timeout(N);`: the shortest given; it implies a pid namespace, whose pid 1 keeps it.
    fn timeout(&mut self, lit: &syn::LitInt, blame: &Blame) {
        match valid::timeout(lit.base10_digits()) {
            Ok(seconds) => {
                if self.needs_init.is_none() {
                    self.needs_init = Some(blame.error(
                        lit.span(),
                        "`timeout` is kept by mountns's pid 1, and `as_pid_1` makes the program pid 1 instead: drop one of them",
                    ));
                }
                self.settings.unshare |= UNSHARE_PID;
                let shortest = self.settings.timeout.map_or(seconds, |t| t.min(seconds));
                self.settings.timeout = Some(shortest);
            }
            Err(message) => self.errors.push(blame.error(lit.span(), &message)),
        }
    }

    /// `connect [..];` or `bind_ports [..];`: their ports join those of other
    /// statements.
    fn ports(&mut self, keyword: &Ident, ports: &[syn::LitInt], blame: &Blame) {
        let connect = keyword == "connect";
        let mut seen = BTreeSet::new();
        let mut failed = false;
        for port in ports {
            let message = match valid::port(port.base10_digits(), connect) {
                Ok(number) if seen.insert(number) => continue,
                Ok(number) => format!("port {number} is given twice; keep one"),
                Err(message) => message,
            };
            self.errors.push(blame.error(port.span(), &message));
            failed = true;
        }
        if failed {
            return;
        }
        let all = if connect {
            &mut self.settings.connect
        } else {
            &mut self.settings.bind_ports
        };
        all.get_or_insert_with(BTreeSet::new).extend(seen);
        if self.needs_landlock.is_none() {
            self.needs_landlock = Some(blame.error(
                keyword.span(),
                &format!(
                    "`{keyword}` is a Landlock rule; add `landlock;` (or `landlock strict;`) to the namespace"
                ),
            ));
        }
    }

    /// `limit [..];`: each limit, the lowest of those given anywhere.
    fn limits(&mut self, entries: &[LimitEntry], span: Span, blame: &Blame) {
        if entries.is_empty() {
            let message =
                "empty list; name the limits, such as `limit [nofile(1024), as(\"2G\")];`";
            self.errors.push(blame.error(span, message));
            return;
        }
        let mut given = BTreeMap::new();
        let mut failed = false;
        for entry in entries {
            let name = entry.name.to_string();
            let checked = valid::limit(&name).map(|index| {
                let value = match &entry.value {
                    LimitValue::Int(int) => {
                        valid::limit_value(index, &valid::Written::Number(int.base10_digits()))
                    }
                    LimitValue::Str(text) => {
                        valid::limit_value(index, &valid::Written::Text(&text.value()))
                    }
                };
                (index, value)
            });
            let error = match checked {
                Err(message) => Some((entry.name.span(), message)),
                Ok((_, Err(message))) => Some((entry.value.span(), message)),
                Ok((index, Ok(_))) if given.contains_key(&index) => Some((
                    entry.name.span(),
                    format!("`{name}` is given twice in this list; keep one"),
                )),
                Ok((index, Ok(value))) => {
                    given.insert(index, value);
                    None
                }
            };
            if let Some((at, message)) = error {
                self.errors.push(blame.error(at, &message));
                failed = true;
            }
        }
        if failed {
            return;
        }
        for (index, value) in given {
            let lowest = self.settings.limits.entry(index).or_insert(value);
            *lowest = (*lowest).min(value);
        }
    }

    fn hostname(&mut self, name: &LitStr, blame: &Blame, cx: &Context<'a>) {
        let value = name.value();
        if let Err(message) = valid::hostname(&value) {
            self.errors.push(blame.error(name.span(), &message));
            return;
        }
        let text = format!("hostname {value:?}");
        let here = Origin::describe_text(&text, &cx.via);
        let error = self.one_value(|s| &mut s.hostname, value, here, "host names");
        if error.is_none() {
            self.settings.unshare |= UNSHARE_UTS;
        }
        self.push_at(error, blame, name.span());
    }
}

/// A source checked. `sources_of` is the resolved include whose `@src(N)` sources are
/// being read, if any. An expanded source is numbered when its entry is made
/// ([`Flattener::numbered`]).
fn checked_source(source: &Source, sources_of: Option<&Path>) -> Result<What, Vec<(Span, String)>> {
    let at = |message: String| vec![(source.span(), message)];
    Ok(match source {
        Source::Lit(lit) => {
            let path = valid::source(&lit.value()).map_err(at)?;
            What::Host(Host::Path(path, lit.span()))
        }
        Source::Tmpfs { options, .. } => {
            let options = options.as_ref().map(LitStr::value).unwrap_or_default();
            let params = valid::tmpfs_options(&options).map_err(|messages| {
                let span = source.span();
                messages
                    .into_iter()
                    .map(|message| (span, message))
                    .collect::<Vec<_>>()
            })?;
            What::Writable(Writable::Tmpfs(Tmpfs { options, params }))
        }
        Source::Upper { upper, work, .. } => {
            let upper = upper_part(upper).map_err(|error| vec![error])?;
            let work = upper_part(work).map_err(|error| vec![error])?;
            if let (Some(up), Some(wk)) = (upper.path(), work.path())
                && (up == wk || is_under(up, wk) || is_under(wk, up))
            {
                return Err(vec![(
                    work.span,
                    "the upper and work directories must be separate: neither may be or lie under the other (overlayfs refuses that); give the work directory a path beside the upper".into(),
                )]);
            }
            What::Writable(Writable::Upper([upper, work]))
        }
        Source::Param { name, .. } => What::Host(Host::Slot(name.to_string(), name.span())),
        Source::Expr(expr) => What::Host(Host::Constant {
            expr: expr.clone(),
            source: 0,
        }),
        Source::Included { index, .. } => {
            let from = sources_of
                .ok_or_else(|| at("`@src` is internal to mountns; write a path".into()))?;
            What::Host(Host::Included {
                from: from.clone(),
                index: *index,
                source: 0,
            })
        }
    })
}

/// Checks an upper or work directory of `upper(..)`: a string literal by the path rules,
/// not `/` nor under `/proc`, `/sys` or `/dev`, or a `param(NAME)`.
fn upper_part(source: &Source) -> Result<UpperPart, (Span, String)> {
    let span = source.span();
    match source {
        Source::Lit(lit) => {
            let path = valid::source(&lit.value()).map_err(|message| (span, message))?;
            let refused = ["/proc", "/sys", "/dev"]
                .iter()
                .any(|fs| path == *fs || is_under(&path, fs));
            if path == "/" || refused {
                return Err((
                    span,
                    format!("{path:?} cannot hold a union's writes: overlayfs takes an upper or work directory on a local filesystem, never `/`, /proc, /sys or /dev; name a directory of its own, such as \"/srv/upper/\""),
                ));
            }
            Ok(UpperPart {
                value: path,
                param: false,
                span,
            })
        }
        Source::Param { name } => Ok(UpperPart {
            value: name.to_string(),
            param: true,
            span,
        }),
        _ => Err((
            span,
            "an upper or work directory is a string literal or `param(NAME)`, such as `upper(\"/srv/upper/\", \"/srv/work/\")`".into(),
        )),
    }
}

/// A statement as text for messages: `bind ro "/usr/"`.
fn render(bind: &Bind) -> String {
    let mut text = String::from("bind");
    for flag in &bind.flags {
        text.push(' ');
        text.push_str(&flag.to_string());
    }
    let joined = |items: Vec<String>, is_list: bool| {
        if is_list {
            format!(" [{}]", items.join(", "))
        } else {
            format!(" {}", items.join(", "))
        }
    };
    text += &joined(
        bind.targets
            .iter()
            .map(|t| format!("{:?}", t.value()))
            .collect(),
        bind.target_list,
    );
    if !bind.sources.is_empty() {
        text += &joined(
            bind.sources
                .iter()
                .map(|s| match s {
                    Source::Lit(lit) => format!("{:?}", lit.value()),
                    Source::Tmpfs {
                        options: Some(options),
                        ..
                    } => format!("tmpfs({:?})", options.value()),
                    Source::Tmpfs { options: None, .. } => "tmpfs".into(),
                    Source::Param { name, .. } => format!("param({name})"),
                    Source::Upper { upper, work, .. } => {
                        let part = |source: &Source| match source {
                            Source::Lit(lit) => format!("{:?}", lit.value()),
                            Source::Param { name } => format!("param({name})"),
                            _ => "..".into(),
                        };
                        format!("upper({}, {})", part(upper), part(work))
                    }
                    Source::Expr(expr) => expr.to_token_stream().to_string(),
                    Source::Included { .. } => "(a constant)".into(),
                })
                .collect(),
            bind.source_list,
        );
    }
    text
}

/// A `proc`, `dev`, `dir`, `symlink` or `file` statement as text for messages.
fn render_make(make: &Make) -> String {
    let target = format!("{:?}", make.target.value());
    let arg = match &make.made {
        Making::Symlink(text) => format!(" {:?}", text.value()),
        Making::File(ContentArg::Expr(expr)) => format!(" {}", expr.to_token_stream()),
        Making::File(ContentArg::Param(name)) => format!(" param({name})"),
        Making::File(ContentArg::Included { .. }) => " (a constant)".into(),
        Making::Proc | Making::Dev | Making::Dir => String::new(),
    };
    let flags = make.flags.iter().fold(String::new(), |mut text, flag| {
        let _ = write!(text, " {flag}");
        text
    });
    let mode = make
        .mode
        .as_ref()
        .map(|mode| format!(" mode({})", mode.value))
        .unwrap_or_default();
    format!("{}{flags} {target}{arg}{mode}", make.made.kind().keyword())
}

/// What flattening a declaration gives: the entries of the statements that are valid,
/// the errors of the others, and the targets of those others.
pub struct Flat {
    pub entries: Vec<Entry<Origin>>,
    pub settings: Settings,
    pub errors: Errors,
    pub dropped: Vec<String>,
}

/// Flattens one declaration's body (or the expression form's) into entries.
pub fn flatten<'a>(decls: &'a [Decl], name: Option<&Ident>, body: &'a Body) -> Flat {
    let mut flattener = Flattener {
        decls,
        errors: Errors::default(),
        stmts: 0,
        sources: 0,
        dropped: Vec::new(),
        spliced: Vec::new(),
        settings: Settings::default(),
        own_caps: None,
        needs_landlock: None,
        needs_init: None,
    };
    let cx = Context {
        stmt: None,
        via: Vec::new(),
        sources_of: None,
        stack: name.map(ToString::to_string).into_iter().collect(),
    };
    let mut entries = Vec::new();
    flattener.body(body, &cx, &mut entries);
    if flattener.settings.landlock.is_none()
        && let Some(error) = flattener.needs_landlock.take()
    {
        flattener.errors.push(error);
    }
    if flattener.settings.as_pid_1
        && let Some(error) = flattener.needs_init.take()
    {
        flattener.errors.push(error);
    }
    Flat {
        entries,
        settings: flattener.settings,
        errors: flattener.errors,
        dropped: flattener.dropped,
    }
}

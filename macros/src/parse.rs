//! Syntax to AST. Every node keeps the syn tokens it came from, so later stages can
//! point their errors at what the user wrote.
//!
//! ```text
//! input  := decl+ | stmt*                      (item form | expression form)
//! decl   := attr* vis `static` IDENT `=` `{` stmt* `}` `;`
//! stmt   := `bind` flag* targets source? `;`
//!         | (`proc` | `dev` | `dir`) flag* LIT mode? `;`
//!         | `symlink` flag* LIT LIT mode? `;`
//!         | `file` flag* LIT content mode? `;`
//!         | `unshare` `[` IDENT,* `]` `;` | `hostname` LIT `;` | `new_session` `;`
//!         | `caps` `[` IDENT,* `]` `;` | (`uid` | `gid`) INT `;` | `groups` `[` INT,* `]` `;`
//!         | `syscalls` (`deny` | `allow`) `[` call,* `]` `;` | `syscalls` `errno` `(` IDENT `)` `;`
//!         | `sockets` `[` IDENT,* `]` `;` | `no_userns` `;` | `as_pid_1` `;`
//!         | `landlock` IDENT? `;` | (`connect` | `bind_ports`) `[` INT,* `]` `;`
//!         | `limit` `[` (IDENT `(` (INT | LIT) `)`),* `]` `;` | `timeout` `(` INT `)` `;`
//!         | `chdir` LIT `;` | `env` `clear` `;` | `env` LIT LIT `;`
//!         | `include` PATH `;`
//!         | `include` PATH `=>` `{` stmt* `}` `;`   (internal: a resolved include)
//!         | `assert` assertion `;`
//! assertion := `hidden` `[` LIT,* `]` | `readonly` (`except` `[` LIT,* `]`)?
//!         | `unshared` `[` IDENT,* `]` | `no_dev` | `caps` `[` IDENT,* `]`
//! source := LIT | `tmpfs` | `tmpfs` `(` LIT `)` | `param` `(` IDENT `)` | EXPR
//!         | `upper` `(` source `,` source `)` | `[` source,* `]`
//!         | `@` `src` `(` INT `)`                    (internal: an included non-literal)
//! call   := IDENT | `@` IDENT (`-` IDENT)*          (a syscall, or a group: `@basic-io`)
//! content := EXPR | `param` `(` IDENT `)`
//!         | `@` `content` `(` INT `)`                (internal: an included non-literal)
//! mode   := `mode` `(` INT `)`                      (octal digits: `mode(0644)`)
//! ```
//! A resumed expansion (see `include.rs`) starts with `@mountns_splice [PATH] { stmt* }`
//! before the input. The internal forms are parsed always, and refused (by
//! [`internal_forms`]) unless the hidden `namespace_resumed!` reads them.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Ident, LitInt, LitStr, Path, Token, Visibility, braced, bracketed};

use crate::model::{Errors, MadeKind};

/// A whole invocation.
pub enum Input {
    /// `static NAME = { .. };` declarations.
    Items(Vec<Decl>),
    /// Bare statements: an expression of type `&'static Namespace`.
    Expr(Body),
}

impl Input {
    /// Each declaration's statements, in order (one body for the expression form).
    pub fn bodies(&self) -> Vec<&Body> {
        match self {
            Input::Items(decls) => decls.iter().map(|decl| &decl.body).collect(),
            Input::Expr(body) => vec![body],
        }
    }
}

/// `#[attrs] vis static NAME = { stmts };`
pub struct Decl {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub static_token: Token![static],
    pub name: Ident,
    pub body: Body,
}

/// The statements between braces, with the errors of those that did not parse.
pub struct Body {
    pub stmts: Vec<Stmt>,
    pub errors: Vec<syn::Error>,
}

pub enum Stmt {
    Bind(Bind),
    /// `proc`, `dev`, `dir`, `symlink` or `file`: something the runtime makes.
    Make(Make),
    /// `unshare [..];`, `hostname "..";`, `new_session;`, `caps [..];`, `uid N;`,
    /// `gid N;`, `groups [..];`, the syscall statements, `landlock;`, `connect [..];`,
    /// `bind_ports [..];`, `limit [..];` or `timeout(N);`: a process-wide setting.
    Setting(Setting),
    Include(Include),
    /// `assert ..;`: a property of the composed table, checked while the crate compiles.
    Assert(Assert),
}

impl Stmt {
    /// The statement's tokens as written (an include's as it came, unresolved).
    pub fn tokens(&self) -> &TokenStream {
        match self {
            Stmt::Bind(Bind { tokens, .. })
            | Stmt::Make(Make { tokens, .. })
            | Stmt::Setting(Setting { tokens, .. })
            | Stmt::Include(Include { tokens, .. })
            | Stmt::Assert(Assert { tokens, .. }) => tokens,
        }
    }
}

/// `proc "/proc/";`, `symlink "/lib" "usr/lib";`, `file "/etc/hostname" "box\n";`...
pub struct Make {
    pub made: Making,
    /// Flag words written after the keyword: `rw` on a `file`; others parse, so that
    /// the error says they do not apply.
    pub flags: Vec<Ident>,
    pub target: LitStr,
    /// `mode(0644)`: parsed after any statement of this kind, so that the error says
    /// which take one.
    pub mode: Option<Mode>,
    pub tokens: TokenStream,
}

/// `mode(0644)`: the number as written (its digits are octal).
pub struct Mode {
    pub value: LitInt,
}

/// What a statement makes, by its keyword, with the operand of `symlink` and `file`.
pub enum Making {
    Proc,
    Dev,
    Dir,
    /// A link, and its text.
    Symlink(LitStr),
    /// A file, and its content.
    File(ContentArg),
}

impl Making {
    pub fn kind(&self) -> MadeKind {
        match self {
            Making::Proc => MadeKind::Proc,
            Making::Dev => MadeKind::Dev,
            Making::Dir => MadeKind::Dir,
            Making::Symlink(_) => MadeKind::Symlink,
            Making::File(_) => MadeKind::File,
        }
    }
}

/// A file's content as written.
pub enum ContentArg {
    /// Any constant `&str`, `&[u8]` or `&[u8; N]` expression.
    Expr(Box<Expr>),
    /// `param(NAME)`: a file whose content is given when entering.
    Param(Ident),
    /// `@content(N)`: the content of the `N`th row of the included namespace's table.
    Included { row: usize, span: Span },
}

/// A process-wide setting.
pub struct Setting {
    pub value: SettingValue,
    pub tokens: TokenStream,
}

pub enum SettingValue {
    /// `unshare [net, ipc];`: the words, and the brackets' span.
    Unshare(Vec<Ident>, Span),
    Hostname(LitStr),
    NewSession,
    /// `caps [net_bind_service];`: the words, and the brackets' span.
    Caps(Vec<Ident>, Span),
    /// `uid 0;`
    Uid(LitInt),
    /// `gid 0;`
    Gid(LitInt),
    /// `groups [27, 100];`: the ids, and the brackets' span.
    Groups(Vec<LitInt>, Span),
    /// `syscalls deny [..];` or `syscalls allow [..];`: the calls and groups, and the
    /// brackets' span.
    Syscalls {
        allow: bool,
        calls: Vec<Call>,
        bracket: Span,
    },
    /// `syscalls errno(EPERM);`
    Errno(Ident),
    /// `sockets [unix, inet];`: the families, and the brackets' span.
    Sockets(Vec<Ident>, Span),
    NoUserns,
    /// `landlock;`, or `landlock strict;`: the word after the keyword.
    Landlock(Option<Ident>),
    /// `connect [443, 53];` or `bind_ports [8080];`: the keyword and the ports.
    Ports {
        keyword: Ident,
        ports: Vec<LitInt>,
    },
    /// `limit [nofile(1024), as("2G")];`: the entries, and the brackets' span.
    Limit(Vec<LimitEntry>, Span),
    /// `timeout(30);`: seconds.
    Timeout(LitInt),
    /// `as_pid_1;`: the program is pid 1 of its pid namespace.
    AsPid1,
    /// `chdir "/src";`: the directory the program starts in.
    Chdir(LitStr),
    /// `env clear;`
    EnvClear,
    /// `env "NAME" "value";`
    Env(LitStr, LitStr),
}

/// `nofile(1024)` or `as("2G")` in `limit [..];`.
pub struct LimitEntry {
    pub name: Ident,
    pub value: LimitValue,
}

/// A limit's value as written: a number, or a size with a suffix.
pub enum LimitValue {
    Int(LitInt),
    Str(LitStr),
}

impl LimitValue {
    pub fn span(&self) -> Span {
        match self {
            LimitValue::Int(int) => int.span(),
            LimitValue::Str(text) => text.span(),
        }
    }
}

/// A syscall (`ptrace`) or a group (`@basic-io`) in a `syscalls` list.
pub struct Call {
    /// As written, without spaces: `@basic-io`.
    pub name: String,
    pub tokens: TokenStream,
}

impl Call {
    /// Whether this names a group (`@mount`) rather than a call.
    pub fn is_group(&self) -> bool {
        self.name.starts_with('@')
    }
}

impl Parse for Call {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let start = input.fork();
        let mut name = String::new();
        if input.peek(Token![@]) {
            input.parse::<Token![@]>()?;
            name.push('@');
            let word: Ident =
                parse_or(input, "expected a group's name after `@`, such as `@mount`")?;
            name.push_str(&word.to_string());
            while input.peek(Token![-]) {
                input.parse::<Token![-]>()?;
                let word = input.call(Ident::parse_any)?;
                name.push('-');
                name.push_str(&word.to_string());
            }
        } else {
            let word = input.call(Ident::parse_any).map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected a syscall such as `ptrace`, or a group such as `@mount`",
                )
            })?;
            name.push_str(&word.to_string());
        }
        Ok(Call {
            name,
            tokens: consumed(&start, input),
        })
    }
}

/// The keywords of the process-wide settings.
const SETTINGS: [&str; 18] = [
    "unshare",
    "hostname",
    "new_session",
    "caps",
    "uid",
    "gid",
    "groups",
    "syscalls",
    "sockets",
    "no_userns",
    "landlock",
    "connect",
    "bind_ports",
    "limit",
    "timeout",
    "as_pid_1",
    "chdir",
    "env",
];

/// `bind FLAGS TARGETS SOURCES;`
pub struct Bind {
    pub flags: Vec<Ident>,
    pub targets: Vec<LitStr>,
    /// Whether the targets were written as a list.
    pub target_list: bool,
    pub sources: Vec<Source>,
    /// Whether the sources were written as a list.
    pub source_list: bool,
    /// The whole statement, for spans and for messages about included statements.
    pub tokens: TokenStream,
}

/// `include PATH;`, or after resolution `include PATH => { stmts };`.
pub struct Include {
    pub keyword: Ident,
    pub path: Path,
    /// `=>` of the internal form, for the error that refuses it in user code.
    pub arrow: Option<Token![=>]>,
    /// The included statements, parsed and as tokens.
    pub resolved: Option<(Body, TokenStream)>,
    pub tokens: TokenStream,
}

pub enum Source {
    /// A host path, as a string literal.
    Lit(LitStr),
    /// `tmpfs` or `tmpfs("OPTIONS")`.
    Tmpfs {
        token: Ident,
        options: Option<LitStr>,
    },
    /// `param(NAME)`: a slot whose host path is given when entering.
    Param { name: Ident },
    /// `upper(UPPER, WORK)`: the host's upper and work directories of a writable union
    /// (each a literal or `param(NAME)`, checked later).
    Upper {
        token: Ident,
        upper: Box<Source>,
        work: Box<Source>,
    },
    /// Any other expression: a compile-time `&'static str`.
    Expr(Box<Expr>),
    /// `@src(N)`: the Nth non-literal source of the included namespace.
    Included { index: usize, span: Span },
}

/// Refuses the internal forms in user code, as if the public grammar had no such rule.
pub fn internal_forms(body: &Body, errors: &mut Errors) {
    for stmt in &body.stmts {
        match stmt {
            Stmt::Include(Include {
                arrow: Some(arrow), ..
            }) => errors.push(syn::Error::new(
                arrow.spans[0],
                "expected `;` after the included path",
            )),
            Stmt::Include(_) | Stmt::Setting(_) | Stmt::Assert(_) => {}
            Stmt::Make(make) => {
                if let Making::File(ContentArg::Included { span, .. }) = make.made {
                    errors.push(syn::Error::new(span, EXPECTED_CONTENT));
                }
            }
            Stmt::Bind(bind) => {
                for source in &bind.sources {
                    if let Source::Included { span, .. } = source {
                        errors.push(syn::Error::new(*span, EXPECTED_SOURCE));
                    }
                }
            }
        }
    }
}

const EXPECTED_SOURCE: &str = "expected a source: a string literal, `tmpfs`, `tmpfs(\"OPTIONS\")`, `upper(UPPER, WORK)`, `param(NAME)` or a constant `&'static str`";

const EXPECTED_CONTENT: &str = "expected the file's content: a string literal, a byte string literal, a constant `&str`, `&[u8]` or `&[u8; N]` (`include_str!(..)`, `include_bytes!(..)`), or `param(NAME)` for content given when entering";

/// Internal prefix of a resumed expansion.
pub struct Splice {
    pub path: TokenStream,
    pub body: TokenStream,
}

/// The identifiers that begin a statement.
fn is_word(input: ParseStream, word: &str) -> bool {
    input
        .cursor()
        .ident()
        .is_some_and(|(ident, _)| ident == word)
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let item_form =
            input.peek(Token![#]) || input.peek(Token![pub]) || input.peek(Token![static]);
        if !item_form {
            return Ok(Input::Expr(Body::parse_statements(input)?));
        }
        let mut decls = Vec::new();
        while !input.is_empty() {
            decls.push(input.parse()?);
        }
        Ok(Input::Items(decls))
    }
}

impl Parse for Decl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let static_token = input.parse()?;
        if input.peek(Token![mut]) {
            return Err(input.error("a namespace cannot be `static mut`; remove `mut`"));
        }
        let name = input.parse()?;
        if input.peek(Token![:]) {
            return Err(input.error(
                "a namespace's type is always `mountns::Namespace`; remove the type and write `static NAME = { .. };`",
            ));
        }
        input.parse::<Token![=]>()?;
        let content;
        braced!(content in input);
        let body = Body::parse_statements(&content)?;
        input.parse::<Token![;]>()?;
        Ok(Decl {
            attrs,
            vis,
            static_token,
            name,
            body,
        })
    }
}

impl Body {
    /// Parses statements until the end, recovering at the next `;` after an error so
    /// that every broken statement is reported at once.
    pub fn parse_statements(input: ParseStream) -> syn::Result<Body> {
        let mut body = Body {
            stmts: Vec::new(),
            errors: Vec::new(),
        };
        while !input.is_empty() {
            let fork = input.fork();
            match fork.parse::<Stmt>() {
                Ok(stmt) => {
                    body.stmts.push(stmt);
                    input.advance_to(&fork);
                }
                Err(error) => {
                    body.errors.push(error);
                    skip_statement(input)?;
                }
            }
        }
        Ok(body)
    }
}

/// Skips tokens up to and including the next top-level `;`.
fn skip_statement(input: ParseStream) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            if matches!(&tt, TokenTree::Punct(punct) if punct.as_char() == ';') {
                break;
            }
        }
        Ok(((), rest))
    })
}

impl Parse for Stmt {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let start = input.fork();
        let word = input.cursor().ident().map(|(ident, _)| ident.to_string());
        let keyword = word.as_deref().and_then(MadeKind::of);
        if is_word(input, "bind") {
            let mut bind = Bind::parse(input)?;
            bind.tokens = consumed(&start, input);
            Ok(Stmt::Bind(bind))
        } else if let Some(made) = keyword {
            let mut make = Make::parse(input, made)?;
            make.tokens = consumed(&start, input);
            Ok(Stmt::Make(make))
        } else if word.as_deref().is_some_and(|word| SETTINGS.contains(&word)) {
            let mut setting = Setting::parse(input)?;
            setting.tokens = consumed(&start, input);
            Ok(Stmt::Setting(setting))
        } else if is_word(input, "include") {
            let mut include = Include::parse(input)?;
            include.tokens = consumed(&start, input);
            Ok(Stmt::Include(include))
        } else if is_word(input, "assert") {
            let mut assert = Assert::parse(input)?;
            assert.tokens = consumed(&start, input);
            Ok(Stmt::Assert(assert))
        } else {
            Err(input.error(
                "expected a statement: `bind`, `proc`, `dev`, `dir`, `symlink`, `file`, `unshare`, `hostname`, `new_session`, `caps`, `uid`, `gid`, `groups`, `syscalls`, `sockets`, `no_userns`, `as_pid_1`, `landlock`, `connect`, `bind_ports`, `limit`, `timeout`, `include` or `assert`",
            ))
        }
    }
}

/// A `T`, or an error with `message` where parsing it failed.
fn parse_or<T: Parse>(input: ParseStream, message: &str) -> syn::Result<T> {
    input
        .parse()
        .map_err(|error| syn::Error::new(error.span(), message))
}

/// The tokens between `start` and where `input` is now.
fn consumed(start: ParseStream, input: ParseStream) -> TokenStream {
    let end = input.cursor();
    let mut tokens = TokenStream::new();
    let mut cursor = start.cursor();
    while cursor != end {
        let Some((tt, next)) = cursor.token_tree() else {
            break;
        };
        tokens.extend([tt]);
        cursor = next;
    }
    tokens
}

impl Bind {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<Ident>()?;
        let flags = flags(input)?;
        let (targets, target_list) = if input.peek(LitStr) {
            (vec![input.parse()?], false)
        } else if starts_path(input) {
            return Err(not_a_literal_target(input));
        } else if input.peek(syn::token::Bracket) {
            let content;
            let bracket = bracketed!(content in input);
            let list = content.parse_terminated(parse_target, Token![,])?;
            if list.is_empty() {
                return Err(syn::Error::new(
                    bracket.span.join(),
                    "empty list of targets; name at least one path",
                ));
            }
            (list.into_iter().collect(), true)
        } else {
            return Err(input.error(
                "expected a target: a string literal such as \"/usr/\", or a list [\"/dev/\", \"/proc/\"]",
            ));
        };
        let mut sources = Vec::new();
        let mut source_list = false;
        if starts_statement(input) {
            return Err(input.error("expected `;` before this statement"));
        }
        if !input.peek(Token![;]) {
            if input.peek(syn::token::Bracket) {
                let content;
                let bracket = bracketed!(content in input);
                let list = content.parse_terminated(Source::parse, Token![,])?;
                if list.is_empty() {
                    return Err(syn::Error::new(
                        bracket.span.join(),
                        "empty list of sources; name at least one, or drop the list to bind the target onto itself",
                    ));
                }
                sources.extend(list);
                source_list = true;
            } else {
                sources.push(input.parse()?);
            }
        }
        end(input)?;
        Ok(Bind {
            flags,
            targets,
            target_list,
            sources,
            source_list,
            tokens: TokenStream::new(),
        })
    }
}

/// Whether the next token is the last of its group (the end of a list).
fn is_last(input: ParseStream) -> bool {
    input
        .cursor()
        .token_tree()
        .is_some_and(|(_, rest)| rest.eof())
}

/// Whether the next tokens begin a statement, where a source or `;` belongs: a
/// keyword that no source expression could start with.
fn starts_statement(input: ParseStream) -> bool {
    let keyword_then_literal = MadeKind::ALL
        .into_iter()
        .map(MadeKind::keyword)
        .chain(["hostname", "chdir", "env"])
        .any(|word| is_word(input, word))
        && input.peek2(LitStr);
    let assertion = is_word(input, "assert") && input.peek2(Ident::peek_any);
    is_word(input, "bind") || is_word(input, "include") || keyword_then_literal || assertion
}

/// Whether `mode(` comes next.
fn starts_mode(input: ParseStream) -> bool {
    is_word(input, "mode") && input.peek2(syn::token::Paren)
}

/// `mode(0644)` after a made statement's operands, if there.
fn mode(input: ParseStream) -> syn::Result<Option<Mode>> {
    const EXPECTED: &str = "expected a mode in octal digits, such as `mode(0644)`";
    if !starts_mode(input) {
        return Ok(None);
    }
    input.parse::<Ident>()?;
    let content;
    syn::parenthesized!(content in input);
    if content.peek(LitStr) {
        let text: LitStr = content.parse()?;
        let digits = text.value();
        return Err(syn::Error::new(
            text.span(),
            format!("a mode is a number, not a string: write `mode({digits})`"),
        ));
    }
    let value: LitInt = parse_or(&content, EXPECTED)?;
    if !content.is_empty() {
        return Err(content.error("expected `)` after the mode"));
    }
    if starts_mode(input) {
        return Err(input.error("`mode` is given twice; keep one"));
    }
    Ok(Some(Mode { value }))
}

/// `;` that ends a statement.
fn end(input: ParseStream) -> syn::Result<()> {
    if starts_mode(input) {
        return Err(input.error(
            "`mode(..)` applies to `dir` and `file` only; a tmpfs takes its mode as an option, `tmpfs(\"mode=1777\")`",
        ));
    }
    if !input.peek(Token![;]) {
        return Err(input.error("expected `;` after the statement"));
    }
    input.parse::<Token![;]>()?;
    Ok(())
}

impl Make {
    fn parse(input: ParseStream, kind: MadeKind) -> syn::Result<Self> {
        input.parse::<Ident>()?;
        let flags = flags(input)?;
        let target = parse_target(input)?;
        let made = match kind {
            MadeKind::Symlink => {
                if !input.peek(LitStr) {
                    return Err(input.error(
                        "expected the link's text, a string literal: `symlink \"/lib\" \"usr/lib\";`",
                    ));
                }
                Making::Symlink(input.parse()?)
            }
            MadeKind::File => Making::File(content(input)?),
            MadeKind::Proc => Making::Proc,
            MadeKind::Dev => Making::Dev,
            MadeKind::Dir => Making::Dir,
        };
        let declared = mode(input)?;
        end(input)?;
        Ok(Make {
            made,
            flags,
            target,
            mode: declared,
            tokens: TokenStream::new(),
        })
    }
}

/// The internal form `@WORD(N)` (`@src(0)`): `N`, and the span of `@`.
fn internal_index(input: ParseStream, word: &str) -> syn::Result<(usize, Span)> {
    let at: Token![@] = input.parse()?;
    let found: Ident = input.parse()?;
    if found != word {
        return Err(syn::Error::new(found.span(), format!("expected `{word}`")));
    }
    let content;
    syn::parenthesized!(content in input);
    let index: LitInt = content.parse()?;
    Ok((index.base10_parse()?, at.span))
}

/// A file's content: an expression, or the internal `@content(N)`.
fn content(input: ParseStream) -> syn::Result<ContentArg> {
    if input.peek(Token![;]) {
        return Err(input.error(EXPECTED_CONTENT));
    }
    if input.peek(Token![@]) {
        let (row, span) = internal_index(input, "content")?;
        return Ok(ContentArg::Included { row, span });
    }
    if is_word(input, "param") && input.peek2(syn::token::Paren) {
        return Ok(ContentArg::Param(param_name(input)?));
    }
    let expr: Expr = parse_or(input, EXPECTED_CONTENT)?;
    Ok(ContentArg::Expr(Box::new(expr)))
}

impl Setting {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let keyword: Ident = input.parse()?;
        let value = match keyword.to_string().as_str() {
            "unshare" => {
                let (words, span) = word_list(
                    input,
                    "expected a list of namespaces, such as `unshare [net, ipc];`",
                )?;
                SettingValue::Unshare(words, span)
            }
            "caps" => {
                let (words, span) = word_list(
                    input,
                    "expected a list of capabilities to keep, such as `caps [net_bind_service];`",
                )?;
                SettingValue::Caps(words, span)
            }
            "hostname" => {
                if !input.peek(LitStr) {
                    return Err(input
                        .error("expected the host name, a string literal: `hostname \"box\";`"));
                }
                SettingValue::Hostname(input.parse()?)
            }
            "uid" => SettingValue::Uid(id(input, "user id", "uid 1000;")?),
            "gid" => SettingValue::Gid(id(input, "group id", "gid 1000;")?),
            "groups" => {
                if !input.peek(syn::token::Bracket) {
                    return Err(input.error(
                        "expected a list of group ids, such as `groups [27, 100];` (`groups [];` for none)",
                    ));
                }
                let content;
                let bracket = bracketed!(content in input);
                let ids = content.parse_terminated(
                    |input| id(input, "group id", "groups [27, 100];"),
                    Token![,],
                )?;
                SettingValue::Groups(ids.into_iter().collect(), bracket.span.join())
            }
            "syscalls" => syscalls(input)?,
            "sockets" => {
                let (words, span) = word_list(
                    input,
                    "expected a list of address families, such as `sockets [unix, inet, inet6];`",
                )?;
                SettingValue::Sockets(words, span)
            }
            "no_userns" => SettingValue::NoUserns,
            "landlock" => {
                let word = if input.peek(Ident::peek_any) {
                    Some(input.call(Ident::parse_any)?)
                } else {
                    None
                };
                SettingValue::Landlock(word)
            }
            "connect" | "bind_ports" => SettingValue::Ports {
                ports: ports(input, &keyword)?,
                keyword,
            },
            "limit" => {
                if !input.peek(syn::token::Bracket) {
                    return Err(input.error(LIMIT_EXAMPLE));
                }
                let content;
                let bracket = bracketed!(content in input);
                let entries = content.parse_terminated(LimitEntry::parse, Token![,])?;
                SettingValue::Limit(entries.into_iter().collect(), bracket.span.join())
            }
            "timeout" => SettingValue::Timeout(timeout(input)?),
            "as_pid_1" => SettingValue::AsPid1,
            "chdir" => {
                if !input.peek(LitStr) {
                    return Err(input.error(
                        "expected the directory the program starts in, a string literal: `chdir \"/src\";`",
                    ));
                }
                SettingValue::Chdir(input.parse()?)
            }
            "env" => env(input)?,
            _ => SettingValue::NewSession,
        };
        end(input)?;
        Ok(Setting {
            value,
            tokens: TokenStream::new(),
        })
    }
}

/// What follows `env`: `clear`, or a name and a value.
fn env(input: ParseStream) -> syn::Result<SettingValue> {
    const EXPECTED: &str = "expected `clear` or a name and a value after `env`: `env clear;`, `env \"LANG\" \"C.UTF-8\";`";
    if input.peek(LitStr) {
        let name = input.parse()?;
        if !input.peek(LitStr) {
            return Err(input.error(
                "expected the variable's value, a string literal: `env \"LANG\" \"C.UTF-8\";`",
            ));
        }
        return Ok(SettingValue::Env(name, input.parse()?));
    }
    match input.call(Ident::parse_any) {
        Ok(word) if word == "clear" => Ok(SettingValue::EnvClear),
        Ok(word) => Err(syn::Error::new(word.span(), EXPECTED)),
        Err(error) => Err(syn::Error::new(error.span(), EXPECTED)),
    }
}

/// `[word, word]` after a setting's keyword: the words, and the brackets' span.
fn word_list(input: ParseStream, message: &str) -> syn::Result<(Vec<Ident>, Span)> {
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(message));
    }
    let content;
    let bracket = bracketed!(content in input);
    let words = content.parse_terminated(Ident::parse_any, Token![,])?;
    Ok((words.into_iter().collect(), bracket.span.join()))
}

/// A user or group id: an integer literal (its range is checked with the others);
/// `example` is the statement the message shows.
fn id(input: ParseStream, what: &str, example: &str) -> syn::Result<LitInt> {
    if input.peek(Token![-]) {
        return Err(input.error(format!(
            "a {what} is a number from 0 to 4294967294; -1 means none to the kernel"
        )));
    }
    parse_or(input, &format!("expected a {what}, a number: `{example}`"))
}

/// What follows `syscalls`: `deny [..]`, `allow [..]` or `errno(NAME)`.
fn syscalls(input: ParseStream) -> syn::Result<SettingValue> {
    const EXPECTED: &str = "expected `deny [..]`, `allow [..]` or `errno(NAME)` after `syscalls`, such as `syscalls deny [@mount, ptrace];`";
    let word = input
        .call(Ident::parse_any)
        .map_err(|error| syn::Error::new(error.span(), EXPECTED))?;
    if word == "errno" {
        if !input.peek(syn::token::Paren) {
            return Err(
                input.error("expected the errno's name in parentheses: `syscalls errno(EPERM);`")
            );
        }
        let content;
        syn::parenthesized!(content in input);
        let name: Ident = parse_or(
            &content,
            "expected the errno's name in parentheses: `syscalls errno(EPERM);`",
        )?;
        if !content.is_empty() {
            return Err(content.error("expected `)` after the errno's name"));
        }
        return Ok(SettingValue::Errno(name));
    }
    let allow = match word.to_string().as_str() {
        "deny" => false,
        "allow" => true,
        _ => return Err(syn::Error::new(word.span(), EXPECTED)),
    };
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(format!(
            "expected a list of syscalls and groups: `syscalls {word} [@mount, ptrace];`"
        )));
    }
    let content;
    let bracket = bracketed!(content in input);
    let calls = content.parse_terminated(Call::parse, Token![,])?;
    Ok(SettingValue::Syscalls {
        allow,
        calls: calls.into_iter().collect(),
        bracket: bracket.span.join(),
    })
}

const LIMIT_EXAMPLE: &str =
    "expected a list of limits, such as `limit [nofile(1024), as(\"2G\"), cpu(60)];`";

const TIMEOUT_EXAMPLE: &str = "expected the time limit in seconds, such as `timeout(30);`";

/// `[443, 53]` after `connect` or `bind_ports`.
fn ports(input: ParseStream, keyword: &Ident) -> syn::Result<Vec<LitInt>> {
    let example = format!("expected a list of TCP port numbers, such as `{keyword} [443, 53];`");
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(example));
    }
    let content;
    bracketed!(content in input);
    let mut ports = Vec::new();
    while !content.is_empty() {
        ports.push(parse_or(&content, &example)?);
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
    }
    Ok(ports)
}

/// `(30)` after `timeout`.
fn timeout(input: ParseStream) -> syn::Result<LitInt> {
    if !input.peek(syn::token::Paren) {
        return Err(input.error(TIMEOUT_EXAMPLE));
    }
    let content;
    syn::parenthesized!(content in input);
    let seconds = parse_or(&content, TIMEOUT_EXAMPLE)?;
    if !content.is_empty() {
        return Err(content.error(TIMEOUT_EXAMPLE));
    }
    Ok(seconds)
}

impl Parse for LimitEntry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `as` is a keyword of Rust, a word here.
        let name = input
            .call(Ident::parse_any)
            .map_err(|error| syn::Error::new(error.span(), LIMIT_EXAMPLE))?;
        let example = format!(
            "expected the value of `{name}` in parentheses: a number, such as `nofile(1024)`, or a size, such as `as(\"2G\")`"
        );
        if !input.peek(syn::token::Paren) {
            return Err(syn::Error::new(name.span(), example));
        }
        let content;
        syn::parenthesized!(content in input);
        let value = if content.peek(LitStr) {
            LimitValue::Str(content.parse()?)
        } else {
            LimitValue::Int(parse_or(&content, &example)?)
        };
        if !content.is_empty() {
            return Err(content.error(format!("expected `)` after the value of `{name}`")));
        }
        Ok(LimitEntry { name, value })
    }
}

/// The flag words after a statement's keyword.
fn flags(input: ParseStream) -> syn::Result<Vec<Ident>> {
    let mut flags = Vec::new();
    while is_flag(input) {
        flags.push(input.parse()?);
    }
    Ok(flags)
}

/// Whether the next token is a flag word: a lone lower-case identifier. A constant
/// (`PROJECT`), a path or a macro call there is a target that is not a literal.
fn is_flag(input: ParseStream) -> bool {
    input.cursor().ident().is_some_and(|(ident, _)| {
        !ident.to_string().chars().any(char::is_uppercase)
            && !input.peek2(Token![::])
            && !input.peek2(Token![!])
    })
}

/// Whether a path (a constant, `crate::NAME`, `env!`) comes next.
fn starts_path(input: ParseStream) -> bool {
    input.peek(Ident::peek_any) || input.peek(Token![::])
}

/// A target, alone or in a list: a string literal.
fn parse_target(input: ParseStream) -> syn::Result<LitStr> {
    if input.peek(LitStr) {
        input.parse()
    } else if starts_path(input) {
        Err(not_a_literal_target(input))
    } else {
        Err(input.error("expected a target: a string literal such as \"/usr/\""))
    }
}

/// The error for a constant, path or macro call where a target belongs, spanning it.
fn not_a_literal_target(input: ParseStream) -> syn::Error {
    let fork = input.fork();
    let mut tokens = TokenStream::new();
    if let Ok(path) = fork.call(Path::parse_mod_style) {
        tokens.extend(path.into_token_stream());
        if let Ok(bang) = fork.parse::<Token![!]>() {
            tokens.extend(bang.into_token_stream());
            if let Ok(TokenTree::Group(group)) = fork.parse::<TokenTree>() {
                tokens.extend([TokenTree::Group(group)]);
            }
        }
    }
    syn::Error::new_spanned(
        tokens,
        "a target must be a string literal such as \"/srv/\": targets are checked and sorted at compile time; sources may be constants",
    )
}

impl Include {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let keyword: Ident = input.parse()?;
        let path: Path = parse_or(
            input,
            "expected the path of a namespace after `include`, such as `mountns::MINIMAL`",
        )?;
        let arrow: Option<Token![=>]> = input.parse()?;
        let resolved = if arrow.is_some() {
            let content;
            braced!(content in input);
            let tokens: TokenStream = content.fork().parse()?;
            Some((Body::parse_statements(&content)?, tokens))
        } else {
            None
        };
        if !input.peek(Token![;]) {
            return Err(input.error("expected `;` after the included path"));
        }
        input.parse::<Token![;]>()?;
        Ok(Include {
            keyword,
            path,
            arrow,
            resolved,
            tokens: TokenStream::new(),
        })
    }
}

impl Parse for Source {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(Source::Lit(input.parse()?));
        }
        if input.peek(Token![@]) {
            let (index, span) = internal_index(input, "src")?;
            return Ok(Source::Included { index, span });
        }
        if is_word(input, "param") && input.peek2(syn::token::Paren) {
            return Ok(Source::Param {
                name: param_name(input)?,
            });
        }
        if is_word(input, "upper") && input.peek2(syn::token::Paren) {
            const EXPECTED: &str =
                "expected the upper and work directories: `upper(\"/srv/upper/\", \"/srv/work/\")`";
            let token: Ident = input.parse()?;
            let content;
            syn::parenthesized!(content in input);
            let upper: Source = parse_or(&content, EXPECTED)?;
            if !content.peek(Token![,]) {
                return Err(content.error(EXPECTED));
            }
            content.parse::<Token![,]>()?;
            let work: Source = parse_or(&content, EXPECTED)?;
            content.parse::<Option<Token![,]>>()?;
            if !content.is_empty() {
                return Err(content.error("expected `)` after the work directory"));
            }
            return Ok(Source::Upper {
                token,
                upper: Box::new(upper),
                work: Box::new(work),
            });
        }
        if let Some((word, _)) = input.cursor().ident()
            && crate::valid::flag(&word.to_string()).is_ok()
            && (input.peek2(Token![;]) || input.peek2(Token![,]) || is_last(input))
        {
            return Err(syn::Error::new(
                word.span(),
                format!(
                    "`{word}` is a flag: flags go between `bind` and the first target, such as `bind {word} \"/usr/\";`"
                ),
            ));
        }
        if is_word(input, "tmpfs") && !input.peek2(Token![::]) && !input.peek2(Token![!]) {
            let token: Ident = input.parse()?;
            let options = if input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in input);
                if !content.peek(LitStr) {
                    return Err(content.error(
                        "tmpfs options must be a string literal, such as tmpfs(\"size=10M\")",
                    ));
                }
                let options = content.parse()?;
                if !content.is_empty() {
                    return Err(content.error("expected `)` after the tmpfs options"));
                }
                Some(options)
            } else {
                None
            };
            return Ok(Source::Tmpfs { token, options });
        }
        let expr: Expr = parse_or(input, EXPECTED_SOURCE)?;
        Ok(Source::Expr(Box::new(expr)))
    }
}

/// `param(NAME)`: the name.
fn param_name(input: ParseStream) -> syn::Result<Ident> {
    let _param: Ident = input.parse()?;
    let content;
    syn::parenthesized!(content in input);
    let name: Ident = parse_or(
        &content,
        "a run-time source is named by an identifier, such as param(PROJECT)",
    )?;
    if !content.is_empty() {
        return Err(content.error("expected `)` after the parameter's name"));
    }
    Ok(name)
}

impl Source {
    /// Where errors about this source point.
    pub fn span(&self) -> Span {
        match self {
            Source::Lit(lit) => lit.span(),
            Source::Tmpfs { token, options } => {
                options.as_ref().map_or_else(|| token.span(), LitStr::span)
            }
            Source::Param { name, .. } => name.span(),
            Source::Upper { token, .. } => token.span(),
            Source::Expr(expr) => syn::spanned::Spanned::span(&**expr),
            Source::Included { span, .. } => *span,
        }
    }
}

impl Parse for Splice {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<Token![@]>()?;
        input.parse::<Ident>()?;
        let path;
        bracketed!(path in input);
        let body;
        braced!(body in input);
        Ok(Splice {
            path: path.parse()?,
            body: body.parse()?,
        })
    }
}

/// Whether the invocation is a resumed expansion carrying an included body.
pub fn is_splice(tokens: &TokenStream) -> bool {
    let mut iter = tokens.clone().into_iter();
    matches!(
        (iter.next(), iter.next()),
        (Some(TokenTree::Punct(at)), Some(TokenTree::Ident(word)))
            if at.as_char() == '@' && word == "mountns_splice"
    )
}

/// `assert hidden [..];`, `assert readonly;`, `assert readonly except [..];`,
/// `assert unshared [..];` or `assert no_dev;`.
pub struct Assert {
    pub assertion: Assertion,
    pub tokens: TokenStream,
}

/// What an `assert` statement says, as written; `assertions.rs` checks it.
pub enum Assertion {
    /// `hidden ["/home/", ..]`: host paths no source may be at, under or above; and the
    /// brackets' span.
    Hidden(Vec<LitStr>, Span),
    /// `readonly`, with the targets of `except [..]` and their brackets' span.
    ReadOnly(Option<(Vec<LitStr>, Span)>),
    /// `unshared [net, pid]`: namespaces the table must not share with the host.
    Unshared(Vec<Ident>, Span),
    /// `no_dev`: no `dev` flag and no host `/dev`.
    NoDev,
    /// `caps [net_bind_service]`: the capabilities the program may keep, at most; and the
    /// brackets' span.
    Caps(Vec<Ident>, Span),
}

const EXPECTED_ASSERTION: &str = "expected an assertion: `hidden [\"/home/\"]`, `readonly`, `readonly except [\"/src/\"]`, `unshared [net, pid]`, `no_dev` or `caps []`";

impl Assert {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse::<Ident>()?;
        let word = input
            .cursor()
            .ident()
            .map(|(ident, _)| ident.to_string())
            .unwrap_or_default();
        let assertion = match word.as_str() {
            "hidden" => {
                input.parse::<Ident>()?;
                let (paths, span) = literal_list(input, "`hidden [\"/home/\", \"/root/\"]`")?;
                Assertion::Hidden(paths, span)
            }
            "readonly" => {
                input.parse::<Ident>()?;
                if is_word(input, "except") {
                    input.parse::<Ident>()?;
                    Assertion::ReadOnly(Some(literal_list(
                        input,
                        "`readonly except [\"/src/\", \"/tmp/\"]`",
                    )?))
                } else {
                    Assertion::ReadOnly(None)
                }
            }
            "unshared" => {
                input.parse::<Ident>()?;
                if !input.peek(syn::token::Bracket) {
                    return Err(input.error(
                        "expected a list of namespaces, such as `assert unshared [net, pid];`",
                    ));
                }
                let content;
                let bracket = bracketed!(content in input);
                let words = content.parse_terminated(Ident::parse_any, Token![,])?;
                Assertion::Unshared(words.into_iter().collect(), bracket.span.join())
            }
            "no_dev" => {
                input.parse::<Ident>()?;
                Assertion::NoDev
            }
            "caps" => {
                input.parse::<Ident>()?;
                let (words, span) = word_list(
                    input,
                    "expected the capabilities the program may keep, such as `assert caps [];` (none)",
                )?;
                Assertion::Caps(words, span)
            }
            _ => return Err(input.error(EXPECTED_ASSERTION)),
        };
        end(input)?;
        Ok(Assert {
            assertion,
            tokens: TokenStream::new(),
        })
    }
}

/// `[LIT, ..]` after an assertion's word: the literals and the brackets' span.
fn literal_list(input: ParseStream, example: &str) -> syn::Result<(Vec<LitStr>, Span)> {
    if !input.peek(syn::token::Bracket) {
        return Err(input.error(format!(
            "expected a list of paths as string literals, such as {example}"
        )));
    }
    let content;
    let bracket = bracketed!(content in input);
    let list = content.parse_terminated(
        |input: ParseStream| {
            parse_or::<LitStr>(
                input,
                "expected a path as a string literal: assertions are checked at compile time",
            )
        },
        Token![,],
    )?;
    Ok((list.into_iter().collect(), bracket.span.join()))
}

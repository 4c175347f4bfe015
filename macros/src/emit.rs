//! Token output: each declaration's `static` table and its companion macro, or the
//! expression form's block.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};

use mountns_paths::words::{FLAGS, MADE_IN, UNSHARE, row_bits};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, LitCStr, LitInt, LitStr};

use crate::collapse::{self, Node};
use crate::include::serialize_body;
use crate::model::{
    Content, Entry, Host, Kind, Made, MadeIn, Mount, Origin, Settings, Table, Tmpfs, What,
    Writable, is_under, written,
};
use crate::parse::Decl;
use crate::{assertions, modes, valid};

/// The expression form's block: a `&'static Namespace`.
pub fn expression(table: &Table) -> syn::Result<TokenStream> {
    let init = initializer(table)?;
    let ns = Ident::new("NAMESPACE", Span::mixed_site());
    Ok(quote! {
        {
            static #ns: ::mountns::__private::Namespace = #init;
            &#ns
        }
    })
}

/// The `static` of a declaration, and its companion macro for includes elsewhere.
pub fn item(decl: &Decl, table: &Table) -> syn::Result<TokenStream> {
    let Decl {
        attrs,
        vis,
        static_token,
        name,
        body,
    } = decl;
    let init = initializer(table)?;
    let companion = companion(table);
    // `#[macro_export]` puts every companion at the crate root: where the declaration
    // stands keeps two namespaces of one name in different modules apart.
    let mut hasher = DefaultHasher::new();
    name.to_string().hash(&mut hasher);
    let start = name.span().start();
    (name.span().file(), start.line, start.column).hash(&mut hasher);
    serialize_body(body).to_string().hash(&mut hasher);
    // The macro's own span, not the name's: the `use` below then resolves as in the
    // macro's edition. In the caller's, were it 2015, its path would start at the
    // crate root, where a macro-expanded `#[macro_export]` macro cannot be named.
    let macro_name = format_ident!(
        "__mountns_{}_{:016x}",
        name,
        hasher.finish(),
        span = Span::call_site()
    );
    Ok(quote! {
        #(#attrs)*
        #vis #static_token #name: ::mountns::__private::Namespace = #init;

        #[doc(hidden)]
        #[macro_export]
        macro_rules! #macro_name {
            (@mountns_include [$($path:tt)*] $($rest:tt)*) => {
                ::mountns::__private::namespace_resumed! {
                    @mountns_splice [$($path)*] { #companion } $($rest)*
                }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #macro_name as #name;
    })
}

/// The entries and settings of a declaration as statements, for the namespaces that
/// include it.
fn companion(
    Table {
        entries, settings, ..
    }: &Table,
) -> TokenStream {
    let mut statements: TokenStream = entries.iter().map(statement).collect();
    statements.extend(settings_statements(settings));
    statements.extend(assertions::statements(settings));
    statements
}

/// An entry as its statement: a literal source or content as a literal; another as
/// `@src(N)`, the table's `N`th expanded source, or `@content(ROW)`, the content of a
/// row of the table.
fn statement(entry: &Entry<Origin>) -> TokenStream {
    let target = LitStr::new(&written(&entry.target, entry.dir), entry.origin.target_span);
    let flags = names(FLAGS, entry.flags).map(|(word, _)| Ident::new(word, Span::call_site()));
    let source = match &entry.what {
        What::Host(Host::Path(path, span)) => LitStr::new(path, *span).into_token_stream(),
        What::Host(Host::Slot(name, span)) => {
            let name = Ident::new(name, *span);
            quote!(param(#name))
        }
        What::Host(Host::Constant { source, .. } | Host::Included { source, .. }) => {
            quote!(@src(#source))
        }
        What::Writable(Writable::Tmpfs(Tmpfs { options, .. })) => quote!(tmpfs(#options)),
        What::Writable(Writable::Upper(parts)) => {
            let [upper, work] = parts.each_ref().map(|part| {
                if part.param {
                    let name = Ident::new(&part.value, part.span);
                    quote!(param(#name))
                } else {
                    LitStr::new(&part.value, part.span).into_token_stream()
                }
            });
            quote!(upper(#upper, #work))
        }
        What::Made(made) => {
            let keyword = Ident::new(made.keyword(), Span::call_site());
            let mode_arg = made.mode().map(|mode| {
                // Its octal digits, as `mode(0644)` writes them (at most four).
                let digits = (0..4)
                    .rev()
                    .fold(0, |digits, i| digits * 10 + (mode >> (3 * i) & 7));
                let digits = proc_macro2::Literal::u32_unsuffixed(digits);
                quote!(mode(#digits))
            });
            let arg = match made {
                Made::Proc | Made::Dev | Made::Dir { .. } => TokenStream::new(),
                Made::Symlink(text) => {
                    LitStr::new(text, entry.origin.target_span).into_token_stream()
                }
                Made::File {
                    content: Content::Slot(name, span),
                    ..
                } => {
                    let name = Ident::new(name, *span);
                    quote!(param(#name))
                }
                Made::File {
                    content: Content::Expr(expr),
                    ..
                } if is_literal(expr) => expr.to_token_stream(),
                Made::File { .. } => {
                    let row = entry.row;
                    quote!(@content(#row))
                }
            };
            return quote! { #keyword #(#flags)* #target #arg #mode_arg; };
        }
    };
    quote! { bind #(#flags)* #target #source; }
}

/// Whether a file's content is a string or byte string literal, which means the same
/// in any crate.
fn is_literal(expr: &syn::Expr) -> bool {
    matches!(
        expr,
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(_) | syn::Lit::ByteStr(_),
            ..
        })
    )
}

/// The settings as statements: their union is what an includer gets.
fn settings_statements(settings: &Settings) -> TokenStream {
    let mut statements = TokenStream::new();
    let words: Vec<Ident> = names(UNSHARE, settings.unshare)
        .map(|(word, _)| Ident::new(word, Span::call_site()))
        .collect();
    if !words.is_empty() {
        statements.extend(quote! { unshare [#(#words),*]; });
    }
    if let Some((name, _)) = &settings.hostname {
        statements.extend(quote! { hostname #name; });
    }
    if settings.new_session {
        statements.extend(quote! { new_session; });
    }
    if settings.as_pid_1 {
        statements.extend(quote! { as_pid_1; });
    }
    let caps: Vec<Ident> = mountns_paths::caps::words(settings.caps)
        .map(|word| Ident::new(word, Span::call_site()))
        .collect();
    if !caps.is_empty() {
        statements.extend(quote! { caps [#(#caps),*]; });
    }
    if let Some((uid, _)) = settings.uid {
        statements.extend(quote! { uid #uid; });
    }
    if let Some((gid, _)) = settings.gid {
        statements.extend(quote! { gid #gid; });
    }
    if let Some((groups, _)) = &settings.groups {
        statements.extend(quote! { groups [#(#groups),*]; });
    }
    statements.extend(settings.syscalls.statements());
    match settings.landlock {
        Some(true) => statements.extend(quote! { landlock strict; }),
        Some(false) => statements.extend(quote! { landlock; }),
        None => {}
    }
    for (word, ports) in [
        ("connect", &settings.connect),
        ("bind_ports", &settings.bind_ports),
    ] {
        if let Some(ports) = ports {
            let keyword = Ident::new(word, Span::call_site());
            let ports = ports.iter().map(|port| number(u64::from(*port)));
            statements.extend(quote! { #keyword [#(#ports),*]; });
        }
    }
    if !settings.limits.is_empty() {
        // Sizes as bytes: a number means the same to every limit.
        let limits = settings.limits.iter().map(|(&index, &value)| {
            let word = Ident::new(valid::LIMITS[index].0, Span::call_site());
            let value = number(value);
            quote!(#word(#value))
        });
        statements.extend(quote! { limit [#(#limits),*]; });
    }
    if let Some(seconds) = settings.timeout {
        let seconds = number(u64::from(seconds));
        statements.extend(quote! { timeout(#seconds); });
    }
    if let Some((dir, _)) = &settings.chdir {
        statements.extend(quote! { chdir #dir; });
    }
    if settings.env_clear {
        statements.extend(quote! { env clear; });
    }
    for (name, value, _) in &settings.env {
        statements.extend(quote! { env #name #value; });
    }
    statements
}

/// An unsuffixed integer literal.
fn number(value: u64) -> LitInt {
    LitInt::new(&value.to_string(), Span::call_site())
}

/// The entries of `table` (word, constant name) whose bits are set in `bits`: a bit is
/// the position in the table.
fn names(
    table: &'static [(&'static str, &'static str)],
    bits: u32,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    table
        .iter()
        .enumerate()
        .filter(move |(position, _)| bits & (1 << position) != 0)
        .map(|(_, entry)| *entry)
}

/// A value of the bits type `ty` (`Flags`, `Unshare`) from `table`, named by its
/// constants.
fn bits(ty: &str, table: &'static [(&'static str, &'static str)], bits: u32) -> TokenStream {
    let ty = Ident::new(ty, Span::call_site());
    let names: Vec<Ident> = names(table, bits)
        .map(|(_, name)| Ident::new(name, Span::call_site()))
        .collect();
    match &names[..] {
        [] => quote!(::mountns::__private::#ty::NONE),
        [first, rest @ ..] => quote!(::mountns::__private::#ty::#first
            #(.union(::mountns::__private::#ty::#rest))*),
    }
}

fn c_lit(value: &str, span: Span) -> syn::Result<LitCStr> {
    let value = std::ffi::CString::new(value)
        .map_err(|_| syn::Error::new(span, "a path must not contain a NUL byte"))?;
    Ok(LitCStr::new(&value, span))
}

/// The initializer of a `Namespace` static: one block of private statics.
fn initializer(
    Table {
        entries,
        mounts,
        settings,
    }: &Table,
) -> syn::Result<TokenStream> {
    let private = quote!(::mountns::__private);
    let mut statics = Statics::new(entries, mounts);
    // The rows are most of a big table's tokens, which rustc reads, checks and
    // evaluates: each is one call of a short path, its flags, directory and where it is
    // made one number (`row_bits`).
    let short = short_private();
    let mut rows = Rows::default();
    for (n, mount) in mounts.iter().enumerate() {
        let bits = row_number(mount)?;
        let mode = mount.made().and_then(Made::mode);
        if let (
            Kind::Bind(Entry {
                what: Host::Path(path, span),
                ..
            }),
            None,
        ) = (&mount.kind, mode)
            && !statics.computes_dir(mount)
        {
            // The most common row, all literals.
            let target = c_text(&mount.target, Span::call_site())?;
            let source = c_text(path, *span)?;
            rows.text(format_args!("{SHORT}::host({target}, {bits}, {source})"));
            continue;
        }
        let target = c_lit(&mount.target, Span::call_site())?;
        let bits = Literal::u32_unsuffixed(bits);
        let kind = statics.kind(mount, n)?;
        let row = quote!(#short::row(#target, #bits, #kind));
        // Known only once `kind` has seen a union of constants declared on a file.
        let row = if statics.computes_dir(mount) {
            statics.no_children_if_a_file(mount, mounts);
            let dir = statics.dir(mount);
            quote!(#short::dir(#row, #dir))
        } else {
            row
        };
        rows.tokens(match mode {
            Some(mode) => quote!(#short::with_mode(#row, #mode)),
            None => row,
        })?;
    }
    let (rows, mounts_len) = rows.finish()?;
    let (skeleton, parents) = skeleton(mounts, &statics)?;
    let with = with_settings(settings)?;
    let seccomp_name = Ident::new("SECCOMP", Span::mixed_site());
    let seccomp = seccomp(settings, &seccomp_name)?;
    let checks = assertions::consts(mounts, settings, source_const);
    let hidden = assertions::runtime(settings).map(|hidden| step("with_hidden", &hidden));
    let (policy_items, policy) = policy(settings);
    let Statics { mut items, .. } = statics;
    items.extend(checks);
    // In order of their indices, which flatten gave them in the entries' order.
    let sources: Vec<TokenStream> = entries
        .iter()
        .filter_map(|entry| match &entry.what {
            What::Host(host) => host.source(),
            What::Writable(_) | What::Made(_) => None,
        })
        .map(|index| {
            let name = source_name(index);
            quote!(&#name)
        })
        .collect();
    let (skeleton, skeleton_len) = skeleton;
    let sources_len = sources.len();
    let [mounts_name, skeleton_name, sources_name] =
        ["MOUNTS", "SKELETON", "SOURCES"].map(|name| Ident::new(name, Span::mixed_site()));
    let parents = (!parents.is_empty()).then(|| {
        let name = Ident::new("PARENTS", Span::mixed_site());
        let len = parents.len();
        step(
            "with_made_parents",
            &quote! {{
                static #name: [#private::Mountpoint; #len] = [#(#parents),*];
                &#name
            }},
        )
    });
    let table = table();
    let seccomp_step = step("with_seccomp", &quote!(&#seccomp_name));
    Ok(quote! {{
        #items
        #seccomp
        #policy_items
        static #mounts_name: [#private::Mount; #mounts_len] = {
            use ::mountns::__private as #short;
            [#rows]
        };
        static #skeleton_name: [#private::Mountpoint; #skeleton_len] = {
            use ::mountns::__private as #short;
            [#skeleton]
        };
        static #sources_name: [&[::mountns::Source]; #sources_len] = [#(#sources),*];
        let #table = #private::namespace(&#mounts_name, &#skeleton_name, &#sources_name);
        #with
        #hidden
        #policy
        #seccomp_step
        #parents
        #table
    }})
}

/// A row's flags, whether its target is a directory and where its mountpoint is made,
/// as one number (`row_bits`).
fn row_number(mount: &Mount<Origin>) -> syn::Result<u32> {
    MADE_IN
        .iter()
        .position(|name| *name == mount.made_in.name())
        .and_then(|made_in| row_bits(mount.flags, mount.dir, made_in))
        .ok_or_else(|| {
            syn::Error::new(
                Span::call_site(),
                "mountns: internal error: a row's flags or place do not fit its number",
            )
        })
}

/// The short name of `::mountns::__private` in the blocks of the rows (whose tokens
/// are the macro's own: no expression of the user's is in its scope).
const SHORT: &str = "p";

/// [`SHORT`] as an identifier: at the call site, as the rows written as text are.
fn short_private() -> Ident {
    Ident::new(SHORT, Span::call_site())
}

/// The rows of a static array: as text where a row is only literals, which rustc lexes
/// in one call (far faster than the macro making each token, and most of a big table's
/// macro time), and as tokens where a row refers to the table's other items.
#[derive(Default)]
struct Rows {
    tokens: TokenStream,
    text: String,
    len: usize,
}

impl Rows {
    /// A row of literals and [`SHORT`] paths, as text.
    fn text(&mut self, row: std::fmt::Arguments) {
        let _ = write!(self.text, "{row},");
        self.len += 1;
    }

    /// A row as tokens.
    fn tokens(&mut self, row: TokenStream) -> syn::Result<()> {
        self.flush()?;
        self.tokens.extend(row);
        self.tokens.extend(quote!(,));
        self.len += 1;
        Ok(())
    }

    /// The text so far, as tokens.
    fn flush(&mut self) -> syn::Result<()> {
        if !self.text.is_empty() {
            let text = std::mem::take(&mut self.text);
            let lex_error = |error: &dyn std::fmt::Display| {
                syn::Error::new(
                    Span::call_site(),
                    format!("mountns: rows written as text did not lex ({error}): {text}"),
                )
            };
            // rustc's lexer straight away: `proc_macro2` would first lex the text again
            // with its own lexer, built unoptimized with the macro. Outside a macro (the
            // unit tests), `proc_macro2`'s.
            let tokens = if proc_macro::is_available() {
                text.parse::<proc_macro::TokenStream>()
                    .map(TokenStream::from)
                    .map_err(|error| lex_error(&error))?
            } else {
                text.parse::<TokenStream>()
                    .map_err(|error| lex_error(&error))?
            };
            self.tokens.extend(tokens);
        }
        Ok(())
    }

    /// The rows, comma-separated, and how many.
    fn finish(mut self) -> syn::Result<(TokenStream, usize)> {
        self.flush()?;
        Ok((self.tokens, self.len))
    }
}

/// A C string literal's text for a row written as text (`c"/usr"`): Rust's escapes of
/// the string are the literal's.
fn c_text(value: &str, span: Span) -> syn::Result<String> {
    if value.contains('\0') {
        return Err(syn::Error::new(span, "a path must not contain a NUL byte"));
    }
    Ok(format!("c{value:?}"))
}

/// The local the initializer builds its `Namespace` in, step by step: hygienic, so no
/// name of the user's expressions can refer to it.
fn table() -> Ident {
    Ident::new("table", Span::mixed_site())
}

/// One step of the initializer: `table = __private::builder(table, args)`.
fn step(builder: &str, args: &TokenStream) -> TokenStream {
    let (table, builder) = (table(), Ident::new(builder, Span::call_site()));
    quote!(let #table = ::mountns::__private::#builder(#table, #args);)
}

/// The skeleton's rows (every mountpoint, and the paths made with it) and how many,
/// and the parents made in a tmpfs whose mode or owner is not the default, for
/// `with_made_parents`.
fn skeleton(
    mounts: &[Mount<Origin>],
    statics: &Statics,
) -> syn::Result<((TokenStream, usize), Vec<TokenStream>)> {
    let attributes = modes::attributes(mounts);
    let mut rows = Rows::default();
    for (path, node) in collapse::skeleton(mounts) {
        let lit = c_text(&path, Span::call_site())?;
        let (row, default) = match node {
            // A directory or a file, as the union of constants on it turns out.
            Node::Dir => {
                let known = statics
                    .dirs
                    .iter()
                    .find(|(target, _)| target.get(1..) == Some(path.as_str()));
                if let Some((_, dir)) = known {
                    // An expression of the table's items: as tokens.
                    let (short, lit) = (short_private(), c_lit(&path, Span::call_site())?);
                    let row = quote!(#short::mountpoint(#lit, #dir));
                    rows.tokens(match attributes.get(&path) {
                        Some(modes::Attributes { mode, program })
                            if *mode != modes::DIR || *program =>
                        {
                            quote!(#short::made_as(#row, #mode, #program))
                        }
                        _ => row,
                    })?;
                    continue;
                }
                (format!("{SHORT}::mountpoint({lit}, true)"), modes::DIR)
            }
            Node::File => (format!("{SHORT}::mountpoint({lit}, false)"), modes::FILE),
            Node::Link(text) => {
                let text = c_text(&text, Span::call_site())?;
                (format!("{SHORT}::link({lit}, {text})"), 0o777)
            }
        };
        // How a created path is made, where that is not the default of its kind.
        match attributes.get(&path) {
            Some(modes::Attributes { mode, program }) if *mode != default || *program => {
                rows.text(format_args!("{SHORT}::made_as({row}, {mode}, {program})"));
            }
            _ => rows.text(format_args!("{row}")),
        }
    }
    let parents = modes::made_parents(mounts, &attributes)
        .into_iter()
        .map(|(path, modes::Attributes { mode, program })| {
            let path = c_lit(&path, Span::call_site())?;
            Ok(quote!(::mountns::__private::made_as(
                ::mountns::__private::mountpoint(#path, true),
                #mode,
                #program,
            )))
        })
        .collect::<syn::Result<Vec<_>>>()?;
    Ok((rows.finish()?, parents))
}

/// The table's seccomp program, one `static SECCOMP` per target architecture, each
/// compiled here from the syscall statements (the `aarch64` one cannot be built on a
/// machine without that target, but it is computed and checked all the same).
fn seccomp(settings: &Settings, name: &Ident) -> syn::Result<TokenStream> {
    let policy = settings.syscalls.policy();
    let mut statics = TokenStream::new();
    for (target, arch) in [
        (mountns_seccomp::Target::X86_64, "x86_64"),
        (mountns_seccomp::Target::Aarch64, "aarch64"),
    ] {
        let program = mountns_seccomp::compile(&policy, target)
            .map_err(|message| syn::Error::new(Span::call_site(), message))?;
        let len = program.len();
        let instructions = program.iter().map(|insn| {
            let (code, jt, jf, k) = (insn.code, insn.jt, insn.jf, insn.k);
            quote!(::mountns::__private::instruction(#code, #jt, #jf, #k))
        });
        statics.extend(quote! {
            #[cfg(target_arch = #arch)]
            static #name: [::mountns::__private::Instruction; #len] = [#(#instructions),*];
        });
    }
    Ok(statics)
}

/// The statics of the table's policy (ports, limits), and the calls that add it to the
/// `Namespace`: `with_landlock(..)`, `with_limits(..)`, `with_timeout(..)`, each only when
/// the table has it.
fn policy(settings: &Settings) -> (TokenStream, TokenStream) {
    let private = quote!(::mountns::__private);
    let mut items = TokenStream::new();
    let mut calls = TokenStream::new();
    if let Some(strict) = settings.landlock {
        let mut lists = Vec::new();
        for (name, ports) in [
            ("CONNECT", &settings.connect),
            ("BIND_PORTS", &settings.bind_ports),
        ] {
            lists.push(if let Some(ports) = ports {
                let name = Ident::new(name, Span::mixed_site());
                let len = ports.len();
                let ports = ports.iter();
                items.extend(quote! { static #name: [u16; #len] = [#(#ports),*]; });
                quote!(::core::option::Option::Some(&#name))
            } else {
                quote!(::core::option::Option::None)
            });
        }
        let [connect, bind] = [&lists[0], &lists[1]];
        calls.extend(step(
            "with_landlock",
            &quote!(#private::landlock(#strict, #connect, #bind)),
        ));
    }
    if !settings.limits.is_empty() {
        let name = Ident::new("LIMITS", Span::mixed_site());
        let len = settings.limits.len();
        let limits = settings.limits.iter().map(|(&index, &value)| {
            let resource = Ident::new(valid::LIMITS[index].1, Span::call_site());
            quote!(#private::limit(#private::Resource::#resource, #value))
        });
        items.extend(quote! { static #name: [#private::Limit; #len] = [#(#limits),*]; });
        calls.extend(step("with_limits", &quote!(&#name)));
    }
    if let Some(seconds) = settings.timeout {
        calls.extend(step("with_timeout", &quote!(#seconds)));
    }
    (items, calls)
}

/// The steps of the table's process-wide settings (`with_settings(..)`, ...).
fn with_settings(settings: &Settings) -> syn::Result<TokenStream> {
    let unshare = bits("Unshare", UNSHARE, settings.unshare);
    let hostname = if let Some((name, _)) = &settings.hostname {
        let name = c_lit(name, Span::call_site())?;
        quote!(::core::option::Option::Some(#name))
    } else {
        quote!(::core::option::Option::None)
    };
    let new_session = settings.new_session;
    let caps = match settings.caps {
        0 => quote!(::mountns::__private::Caps::NONE),
        u64::MAX => quote!(::mountns::__private::Caps::ALL),
        bits => quote!(::mountns::__private::caps(#bits)),
    };
    let option = |value: Option<TokenStream>| {
        value.map_or_else(
            || quote!(::core::option::Option::None),
            |value| quote!(::core::option::Option::Some(#value)),
        )
    };
    let uid = option(settings.uid.as_ref().map(|(uid, _)| quote!(#uid)));
    let gid = option(settings.gid.as_ref().map(|(gid, _)| quote!(#gid)));
    let groups = option(
        settings
            .groups
            .as_ref()
            .map(|(groups, _)| quote!(&[#(#groups),*])),
    );
    let as_pid_1 = settings.as_pid_1.then(|| step("with_pid_1", &quote!(true)));
    let chdir = if let Some((dir, _)) = &settings.chdir {
        let dir = c_lit(dir, Span::call_site())?;
        quote!(::core::option::Option::Some(#dir))
    } else {
        quote!(::core::option::Option::None)
    };
    let env_clear = settings.env_clear;
    let env = settings
        .env
        .iter()
        .map(|(name, value, _)| c_lit(&format!("{name}={value}"), Span::call_site()))
        .collect::<syn::Result<Vec<_>>>()?;
    let steps = [
        step("with_settings", &quote!(#unshare, #hostname, #new_session)),
        step("with_identity", &quote!(#caps, #uid, #gid, #groups)),
        step("with_chdir", &chdir),
        step("with_env", &quote!(#env_clear, &[#(#env),*])),
    ];
    Ok(quote!(#(#steps)* #as_pid_1))
}

/// A source expanded while the user's crate compiles: its index among the table's,
/// and itself as a `Source` (a package into itself and its inputs; a source of
/// another namespace comes expanded from its table). `None` for a literal or a slot.
fn expanded(host: &Host) -> Option<(usize, TokenStream, Span)> {
    let private = quote!(::mountns::__private);
    match host {
        Host::Constant { expr, source } => {
            let span = syn::spanned::Spanned::span(&**expr);
            Some((
                *source,
                quote_spanned! {span=> #private::Wrap(#expr).source() },
                span,
            ))
        }
        Host::Included {
            from,
            index,
            source,
        } => Some((
            *source,
            quote!(#private::Source::Layers(#private::source(&#from, #index))),
            syn::spanned::Spanned::span(from),
        )),
        Host::Path(..) | Host::Slot(..) => None,
    }
}

/// The static of the table's `index`th expanded source: its paths.
fn source_name(index: usize) -> Ident {
    format_ident!("SOURCE_{}", index, span = Span::mixed_site())
}

/// The `const` of the table's `index`th expanded source, as written (a `Source`,
/// packages unexpanded): what the assertions' checks walk.
fn source_const(index: usize) -> Ident {
    format_ident!("SOURCE_{}_OF", index, span = Span::mixed_site())
}

/// A host source of a row: a `Source` (a host path, or a slot's name), or the static
/// of an expanded source (its `Source`s).
fn source(host: &Host) -> syn::Result<TokenStream> {
    Ok(match host {
        Host::Path(path, span) => {
            let path = c_lit(path, *span)?;
            quote!(::mountns::Source::Host(#path))
        }
        Host::Slot(name, span) => {
            let name = c_lit(name, *span)?;
            quote!(::mountns::Source::Slot(#name))
        }
        Host::Constant { source, .. } | Host::Included { source, .. } => {
            source_name(*source).into_token_stream()
        }
    })
}

/// Where an entry's source was written: the literal or expression, or the statement
/// (an include) that brought it in.
fn source_span(entry: &Entry<Origin, Host>) -> Span {
    (entry.what.span())
        .filter(|_| entry.origin.via.is_empty())
        .unwrap_or_else(|| syn::spanned::Spanned::span(&entry.origin.stmt))
}

/// Where a union's errors found while the crate compiles point: its first statement.
fn mount_span(lowers: &[Entry<Origin, Host>]) -> Span {
    lowers.first().map_or_else(Span::call_site, |entry| {
        syn::spanned::Spanned::span(&entry.origin.stmt)
    })
}

/// The private statics of one initializer, made as its rows are emitted.
struct Statics {
    items: TokenStream,
    /// The writable unions emitted so far.
    uppers: u32,
    /// The first `dir` or `symlink` made with the skeleton, if any: a non-literal
    /// source on `/` must then expand to a union, whose lowest layer the skeleton is.
    made_with_skeleton: Option<Span>,
    /// The targets declared as files whose sources are constants that may turn out
    /// one path (one invocation merges alike literals into a file bind; constants of
    /// other invocations are known alike only once evaluated), each with the constant
    /// expression that says whether it is a directory: more than one layer.
    dirs: Vec<(String, TokenStream)>,
}

impl Statics {
    /// Starts with a static for each expanded source.
    fn new(entries: &[Entry<Origin>], mounts: &[Mount<Origin>]) -> Self {
        let made_with_skeleton = mounts
            .iter()
            .find(|mount| {
                matches!(mount.made(), Some(Made::Dir { .. } | Made::Symlink(_)))
                    && mount.made_in == MadeIn::Skeleton
            })
            .map(|mount| syn::spanned::Spanned::span(&mount.representative().origin.stmt));
        let mut statics = Statics {
            items: TokenStream::new(),
            uppers: 0,
            made_with_skeleton,
            dirs: Vec::new(),
        };
        for entry in entries {
            let What::Host(host) = &entry.what else {
                continue;
            };
            let Some((index, part, span)) = expanded(host) else {
                continue;
            };
            if let (false, Host::Constant { expr, .. }) = (entry.dir, host) {
                // A file target: a `&str` may name a file, a package never does.
                let message = format!(
                    "mountns: a package is a directory tree, and \"{target}\" is a file target; end it with `/` (\"{target}/\") to bind the package there",
                    target = entry.target
                );
                statics.items.extend(quote_spanned! {span=>
                    const _: () = if ::mountns::__private::Wrap(#expr).source().is_package() {
                        ::core::panic!("{}", #message)
                    };
                });
            }
            let of = source_const(index);
            statics.items.extend(quote_spanned! {span=>
                const #of: ::mountns::__private::Source = #part;
            });
            statics.layers(&source_name(index), &[of.to_token_stream()], span);
        }
        statics
    }

    /// `static NAME: [Source; N]`: the layers of `parts`, in order, each path once; a
    /// path that breaks the rules is an error at `span`.
    fn layers(&mut self, name: &Ident, parts: &[TokenStream], span: Span) {
        let private = quote!(::mountns::__private);
        let layers = format_ident!("{}_LAYERS", name, span = Span::mixed_site());
        let bytes = format_ident!("{}_BYTES", name, span = Span::mixed_site());
        // Every token of the call at `span`: that is where a const panic points.
        let of = quote_spanned! {span=> ::mountns::__private::Layers::of(&[#(#parts),*]) };
        // A problem found while expanding is a compile error here, at the source, with
        // a message that names the path at fault.
        self.items.extend(quote_spanned! {span=>
            const #layers: #private::Layers = #of;
            const _: () = if let ::core::option::Option::Some(message) = #layers.message() {
                ::core::panic!("{}", message.as_str())
            };
            const #bytes: [u8; #layers.bytes_len()] = #layers.bytes();
            static #name: [::mountns::Source; #layers.count()] = #private::split(&#bytes);
        });
    }

    /// What mounts the `n`th row of the table.
    fn kind(&mut self, mount: &Mount<Origin>, n: usize) -> syn::Result<TokenStream> {
        let private = quote!(::mountns::__private);
        Ok(match &mount.kind {
            Kind::Bind(entry) if entry.what.source().is_none() => {
                let source = source(&entry.what)?;
                quote!(#private::Kind::Bind { source: #source })
            }
            Kind::Bind(entry) => {
                // A package with inputs is a union, known only once it is expanded (on a
                // file target, a package is an error: see `Statics::new`).
                let source = source(&entry.what)?;
                if let Some(span) = self.made_with_skeleton.filter(|_| mount.target == "/") {
                    self.items.extend(quote_spanned! {span=>
                        const _: () = ::core::assert!(
                            #source.len() > 1,
                            "mountns: this would be made in the host's directory bound on `/` (the constant source there is one directory, not a union whose lowest layer holds what is made in the root); make it in a tmpfs, or make `/` a union"
                        );
                    });
                }
                quote!(#private::layers(&#source, ::core::option::Option::None))
            }
            Kind::Tmpfs(entry) => {
                let tmpfs = self.tmpfs(&entry.what, entry.origin.target_span, n)?;
                quote!(#private::Kind::Tmpfs(#tmpfs))
            }
            Kind::Make(entry) => self.made(entry, n)?,
            Kind::Union { lowers, upper } => {
                let name = format_ident!("LOWERS_{}", n, span = Span::mixed_site());
                let expand = lowers.iter().any(|entry| entry.what.source().is_some());
                if expand {
                    // Expanded at compile time, each path once (its first, highest).
                    let mut parts = Vec::new();
                    for entry in lowers {
                        parts.push(match &entry.what {
                            Host::Path(path, span) => {
                                let path = LitStr::new(path, *span);
                                quote!(#private::Source::Path(#path))
                            }
                            // A slot stays a slot, filled when entering.
                            Host::Slot(name, span) => {
                                let name = c_lit(name, *span)?;
                                quote!(#private::Source::Slot(#name))
                            }
                            Host::Constant { .. } | Host::Included { .. } => {
                                let source = source(&entry.what)?;
                                quote!(#private::Source::Layers(&#source))
                            }
                        });
                    }
                    self.layers(&name, &parts, mount_span(lowers));
                    self.one_source_one_flag(mount, lowers, &parts, n);
                    if upper.is_none() && !lowers.iter().any(|entry| entry.dir) {
                        let layers = format_ident!("{}_LAYERS", name, span = Span::mixed_site());
                        self.dirs
                            .push((mount.target.clone(), quote!((#layers.count() > 1))));
                    }
                } else {
                    let lowers = lowers
                        .iter()
                        .map(|entry| source(&entry.what))
                        .collect::<syn::Result<Vec<_>>>()?;
                    let len = lowers.len();
                    self.items.extend(quote! {
                        static #name: [::mountns::Source; #len] = [#(#lowers),*];
                    });
                }
                let upper = match upper {
                    Some(Entry {
                        what: Writable::Upper(parts),
                        ..
                    }) => {
                        let [upper, work] = parts.each_ref().map(|part| {
                            let text = c_lit(&part.value, part.span)?;
                            Ok::<_, syn::Error>(if part.param {
                                quote!(::mountns::Source::Slot(#text))
                            } else {
                                quote!(::mountns::Source::Host(#text))
                            })
                        });
                        let (upper, work) = (upper?, work?);
                        quote!(::core::option::Option::Some(#private::host_upper(#upper, #work)))
                    }
                    Some(Entry {
                        what: Writable::Tmpfs(tmpfs),
                        origin,
                        ..
                    }) => {
                        let tmpfs = self.tmpfs(tmpfs, origin.target_span, n)?;
                        let index = self.uppers;
                        self.uppers += 1;
                        quote!(::core::option::Option::Some(#private::upper(#tmpfs, #index)))
                    }
                    None => quote!(::core::option::Option::None),
                };
                if expand {
                    quote!(#private::layers(&#name, #upper))
                } else {
                    quote!(#private::Kind::Union { lowers: &#name, upper: #upper })
                }
            }
        })
    }

    /// Whether whether `mount`'s target is a directory is known only once constants
    /// are evaluated ([`Statics::dir`]).
    fn computes_dir(&self, mount: &Mount<Origin>) -> bool {
        self.dirs.iter().any(|(target, _)| *target == mount.target)
    }

    /// Whether `mount` mounts on a directory: as collapsed, or, for a union of
    /// constants declared on a file, once its layers are known.
    fn dir(&self, mount: &Mount<Origin>) -> TokenStream {
        match self.dirs.iter().find(|(target, _)| *target == mount.target) {
            Some((_, dir)) => dir.clone(),
            None => mount.dir.into_token_stream(),
        }
    }

    /// The sources of a union declared on a file that turn out one path make a file
    /// bind, which has nothing under it: a compile error if `mounts` put something
    /// there.
    fn no_children_if_a_file(&mut self, mount: &Mount<Origin>, mounts: &[Mount<Origin>]) {
        let Some(child) = mounts
            .iter()
            .find(|child| is_under(&child.target, &mount.target))
        else {
            return;
        };
        let dir = self.dir(mount);
        let span = syn::spanned::Spanned::span(&child.representative().origin.stmt);
        let message = format!(
            "mountns: the sources on \"{}\" turn out to be one file, bound through two routes, and \"{}\" cannot lie under a file; declare the target with a trailing slash",
            mount.target, child.target
        );
        self.items.extend(quote_spanned! {span=>
            const _: () = if !#dir { ::core::panic!("{}", #message) };
        });
    }

    /// One source reached through two routes with different flags is an error, as
    /// one invocation reports it: only constants evaluated here can tell (one
    /// declared `ro` in one crate, plain in another). Compares the expansion of each
    /// group of the union's entries that share their flags.
    fn one_source_one_flag(
        &mut self,
        mount: &Mount<Origin>,
        lowers: &[Entry<Origin, Host>],
        parts: &[TokenStream],
        n: usize,
    ) {
        let private = quote!(::mountns::__private);
        // Each group: its flags, where its first entry was written, its sources.
        let mut groups: Vec<(u32, Span, Vec<&TokenStream>)> = Vec::new();
        for (entry, part) in lowers.iter().zip(parts) {
            match groups.iter_mut().find(|(flags, ..)| *flags == entry.flags) {
                Some((.., group)) => group.push(part),
                None => groups.push((entry.flags, source_span(entry), vec![part])),
            }
        }
        let flag_words = |flags: u32| {
            let words: Vec<&str> = names(FLAGS, flags).map(|(word, _)| word).collect();
            if words.is_empty() {
                "no flag".to_owned()
            } else {
                words.join(" ")
            }
        };
        if groups.len() < 2 {
            return;
        }
        let group_name = |i: usize| format_ident!("FLAGS_{}_{}", n, i, span = Span::mixed_site());
        for (i, (_, span, group)) in groups.iter().enumerate() {
            let name = group_name(i);
            self.items.extend(quote_spanned! {*span=>
                const #name: #private::Layers = #private::Layers::of(&[#(#group),*]);
            });
        }
        let target = &mount.target;
        for (i, (flags, ..)) in groups.iter().enumerate() {
            // At the later of the two routes.
            for (j, (other_flags, span, _)) in groups.iter().enumerate().skip(i + 1) {
                let (a, b) = (group_name(i), group_name(j));
                let (words, other_words) = (flag_words(*flags), flag_words(*other_flags));
                let text = format!(
                    " is bound onto \"{target}\" through two routes with different flags ({words}, and {other_words}); give both statements the same flags, or drop one"
                );
                self.items.extend(quote_spanned! {*span=>
                    const _: () = if let ::core::option::Option::Some(path) = #a.shared(&#b) {
                        ::core::panic!("{}", #private::Message::about(path, #text).as_str())
                    };
                });
            }
        }
    }

    /// What a `proc`, `dev`, `dir`, `symlink` or `file` row makes; a file's content in
    /// a `const` of the `n`th row, where a type error points at the expression.
    fn made(&mut self, entry: &Entry<Origin, Made>, n: usize) -> syn::Result<TokenStream> {
        let private = quote!(::mountns::__private);
        Ok(match &entry.what {
            Made::Proc => quote!(#private::Kind::Proc),
            Made::Dev => quote!(#private::Kind::Dev),
            Made::Dir { .. } => quote!(#private::Kind::Dir),
            Made::Symlink(text) => {
                let text = c_lit(text, entry.origin.target_span)?;
                quote!(#private::Kind::Symlink { text: #text })
            }
            Made::File { content, .. } => {
                let name = format_ident!("CONTENT_{}", n, span = Span::mixed_site());
                let content = match content {
                    Content::Slot(slot, span) => {
                        let slot = c_lit(slot, *span)?;
                        return Ok(quote!(#private::Kind::FileParam { name: #slot }));
                    }
                    Content::Expr(expr) => {
                        let span = syn::spanned::Spanned::span(&**expr);
                        quote_spanned! {span=> ::mountns::__private::content(#expr).bytes() }
                    }
                    Content::Included { from, row } => {
                        quote!(#private::included_content(&#from, #row))
                    }
                };
                self.items.extend(quote! { const #name: &[u8] = #content; });
                quote!(#private::Kind::File { content: #name })
            }
        })
    }

    /// A tmpfs, its parameters in a static of the `n`th row; `span`, its target's.
    fn tmpfs(&mut self, tmpfs: &Tmpfs, span: Span, n: usize) -> syn::Result<TokenStream> {
        let private = quote!(::mountns::__private);
        let mut list = Vec::new();
        for (key, value) in &tmpfs.params {
            let key = c_lit(key, span)?;
            let value = if let Some(value) = value {
                let value = c_lit(value, span)?;
                quote!(::core::option::Option::Some(#value))
            } else {
                quote!(::core::option::Option::None)
            };
            list.push(quote!(#private::param(#key, #value)));
        }
        let name = format_ident!("PARAMS_{}", n, span = Span::mixed_site());
        let len = list.len();
        self.items
            .extend(quote! { static #name: [#private::Param; #len] = [#(#list),*]; });
        let options = c_lit(&tmpfs.options, span)?;
        Ok(quote!(#private::tmpfs(#options, &#name)))
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    #[test]
    fn a_row_is_one_call_its_flags_directory_and_place_one_number() {
        let tokens = TokenStream::from_str(r#"bind ro "/usr/"; bind "/tmp/" tmpfs;"#).unwrap();
        let emitted = crate::expand::namespace(tokens, crate::expand::Grammar::Public)
            .unwrap()
            .to_string();
        // A tmpfs (no flag) on a directory (256), made with the skeleton (0).
        assert!(
            emitted.contains(r#"p :: row (c"/tmp" , 256 , "#),
            "{emitted}"
        );
        // `ro` (1) on a directory (256): a host path's row.
        assert!(
            emitted.contains(r#"p :: host (c"/usr" , 257 , c"/usr")"#),
            "{emitted}"
        );
        assert!(
            emitted.contains("use :: mountns :: __private as p ;"),
            "{emitted}"
        );
        assert!(!emitted.contains("union"), "{emitted}");
    }

    /// The rows written as text: a path's every byte comes back from the C string
    /// literal rustc reads (quotes, backslashes, control characters, non-ASCII).
    #[test]
    fn a_path_written_as_text_reads_back_byte_for_byte() {
        let paths = [
            "/a \"quoted\" dir",
            "/back\\slash",
            "/new\nline\ttab\r",
            "/caf\u{e9}/\u{301}accent/\u{1f600}",
            "/bell\u{7}/del\u{7f}/nbsp\u{a0}",
        ];
        let mut declaration = String::new();
        for path in paths {
            // A statement's literal, written with Rust's escapes.
            let _ = write!(declaration, "bind ro {:?} {:?};", format!("{path}/"), path);
        }
        let emitted = crate::expand::namespace(
            TokenStream::from_str(&declaration).unwrap(),
            crate::expand::Grammar::Public,
        )
        .unwrap();
        let mut found = Vec::new();
        collect_c_strings(emitted, &mut found);
        for path in paths {
            let target = path.as_bytes();
            let skeleton = &path.as_bytes()[1..];
            for wanted in [target, skeleton] {
                assert!(
                    found.iter().any(|bytes| bytes == wanted),
                    "{path:?} as {wanted:?} in {found:?}"
                );
            }
        }
    }

    fn collect_c_strings(tokens: TokenStream, found: &mut Vec<Vec<u8>>) {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Group(group) => collect_c_strings(group.stream(), found),
                proc_macro2::TokenTree::Literal(literal) => {
                    if let syn::Lit::CStr(lit) = syn::Lit::new(literal) {
                        found.push(lit.value().into_bytes());
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn settings_are_emitted_and_passed_on_to_includers() {
        let tokens = TokenStream::from_str(
            r#"static NS = { proc "/proc/"; hostname "box"; new_session; file "/etc/motd" MOTD; bind dev noexec "/dev/dri/"; };"#,
        )
        .unwrap();
        let emitted = crate::expand::namespace(tokens, crate::expand::Grammar::Public)
            .unwrap()
            .to_string();
        // `proc` implies pid, `hostname` uts.
        let with = r#":: mountns :: __private :: with_settings (table , :: mountns :: __private :: Unshare :: PID . union (:: mountns :: __private :: Unshare :: UTS) , :: core :: option :: Option :: Some (c"box") , true)"#;
        assert!(emitted.contains(with), "{emitted}");
        // `dev noexec` (2 + 4) on a directory (256).
        assert!(
            emitted.contains(r#"p :: host (c"/dev/dri" , 262 , c"/dev/dri")"#),
            "{emitted}"
        );
        // The companion macro re-states all of it; a constant content is read from
        // the table by row (the rows are sorted: /dev/dri, /etc/motd, /proc).
        for statement in [
            r#"file "/etc/motd" @ content (1usize) ;"#,
            r#"bind dev noexec "/dev/dri/" "/dev/dri" ;"#,
            r#"proc "/proc/" ;"#,
            r#"unshare [pid , uts] ; hostname "box" ; new_session ;"#,
        ] {
            assert!(emitted.contains(statement), "{statement} in {emitted}");
        }
    }

    #[test]
    fn an_expanded_source_has_one_index_in_the_table_and_the_companion() {
        let tokens = TokenStream::from_str(
            r#"static NS = { bind "/z/" Z; bind "/b/" [A, B]; file "/c" C; bind "/d/" "/d"; };"#,
        )
        .unwrap();
        let emitted = crate::expand::namespace(tokens, crate::expand::Grammar::Public)
            .unwrap()
            .to_string();
        // Numbered in declaration order; the rows sorted: /b, /c, /d, /z.
        for expected in [
            "const SOURCE_0_OF : :: mountns :: __private :: Source = :: mountns :: __private :: Wrap (Z)",
            "const SOURCE_2_OF : :: mountns :: __private :: Source = :: mountns :: __private :: Wrap (B)",
            "= [& SOURCE_0 , & SOURCE_1 , & SOURCE_2]",
            r#"bind "/z/" @ src (0usize) ;"#,
            r#"bind "/b/" @ src (1usize) ;"#,
            r#"bind "/b/" @ src (2usize) ;"#,
            r#"file "/c" @ content (1usize) ;"#,
            r#"bind "/d/" "/d" ;"#,
        ] {
            assert!(emitted.contains(expected), "{expected} in {emitted}");
        }
    }

    #[test]
    fn the_policy_is_emitted_and_passed_on_to_includers() {
        let tokens = TokenStream::from_str(
            r#"static NS = { landlock strict; connect [443, 53]; limit [as("2G"), nofile(64)]; timeout(30); limit [nofile(16)]; timeout(60); };"#,
        )
        .unwrap();
        let emitted = crate::expand::namespace(tokens, crate::expand::Grammar::Public)
            .unwrap()
            .to_string();
        for expected in [
            // The ports sorted, each limit its lowest, the shortest time limit; a time
            // limit implies a pid namespace.
            "[u16 ; 2usize] = [53u16 , 443u16]",
            "__private :: landlock (true , :: core :: option :: Option :: Some (& CONNECT) , :: core :: option :: Option :: None)",
            "Resource :: Nofile , 16u64",
            "Resource :: As , 2147483648u64",
            "__private :: with_timeout (table , 30u32)",
            "Unshare :: PID , :: core :: option :: Option :: None , false",
            // The companion macro re-states all of it.
            "landlock strict ; connect [53 , 443] ; limit [nofile (16) , as (2147483648)] ; timeout (30) ;",
        ] {
            assert!(emitted.contains(expected), "{expected} in {emitted}");
        }
        let plain = TokenStream::from_str(r#"bind ro "/usr/";"#).unwrap();
        let emitted = crate::expand::namespace(plain, crate::expand::Grammar::Public)
            .unwrap()
            .to_string();
        assert!(!emitted.contains("with_landlock"), "{emitted}");
        assert!(!emitted.contains("with_limits"), "{emitted}");
    }
}

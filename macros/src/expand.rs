//! From the parsed invocation to the `static` mount tables: resolve includes, flatten
//! statements into entries, check them, collapse them and emit the tokens.
//!
//! Includes across invocations go through a companion `macro_rules!` that every item
//! declaration exports and re-exports under its own name (macros and statics live in
//! different namespaces, so `a::B` names both). When the invocation includes `a::B`,
//! it expands to `a::B! { @mountns_include [a::B] <itself> }`; the companion answers
//! with `::mountns::__private::namespace! { @mountns_splice [a::B] { B's entries }
//! <the invocation> }`, and the macro runs again with `B` resolved. Includes of a
//! namespace declared in the same invocation are resolved directly.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitCStr, LitStr, Path};

use crate::collapse::{self, Entry, Kind, Mount, Problem, What};
use crate::parse::{Bind, Body, Decl, Include, Input, Source, Splice, Stmt};
use crate::valid;

/// The whole macro: tokens in, tokens (or every error found) out.
pub fn namespace(tokens: TokenStream) -> syn::Result<TokenStream> {
    let (splice, tokens) = if crate::parse::is_splice(&tokens) {
        let (splice, rest) = (|input: ParseStream| {
            let splice: Splice = input.parse()?;
            let rest: TokenStream = input.parse()?;
            Ok((splice, rest))
        })
        .parse2(tokens)?;
        (Some(splice), rest)
    } else {
        (None, tokens)
    };
    let mut input: Input = syn::parse2(tokens)?;
    let local = local_names(&input);
    if let Some(splice) = splice {
        apply_splice(&mut input, &local, splice)?;
    }
    // Statements that did not parse were skipped: report them, and with them what the
    // others have wrong, unless an include must be resolved first.
    let mut errors = Errors::default();
    for body in bodies(&input) {
        body_errors(body, &mut errors);
    }
    if let Some(path) = first_pending(&input, &local) {
        errors.finish()?;
        return Ok(resume(&path, &input));
    }
    let expanded = match &input {
        Input::Items(decls) => expand_items(decls),
        Input::Expr(body) => expand_expr(body),
    };
    match expanded {
        Ok(tokens) => errors.finish().map(|()| tokens),
        Err(error) => {
            errors.push(error);
            errors.finish().map(|()| TokenStream::new())
        }
    }
}

/// Errors gathered along the way, reported together.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

fn bodies(input: &Input) -> Vec<&Body> {
    match input {
        Input::Items(decls) => decls.iter().map(|decl| &decl.body).collect(),
        Input::Expr(body) => vec![body],
    }
}

/// Syntax errors, including those inside resolved includes.
fn body_errors(body: &Body, errors: &mut Errors) {
    for error in &body.errors {
        errors.push(error.clone());
    }
    for stmt in &body.stmts {
        if let Stmt::Include(Include {
            resolved: Some((body, _)),
            ..
        }) = stmt
        {
            body_errors(body, errors);
        }
    }
}

fn local_names(input: &Input) -> HashSet<String> {
    match input {
        Input::Items(decls) => decls.iter().map(|d| d.name.to_string()).collect(),
        Input::Expr(_) => HashSet::new(),
    }
}

/// The name an include refers to when it is a single identifier.
fn single_name(path: &Path) -> Option<String> {
    path.get_ident().map(ToString::to_string)
}

fn is_external(include: &Include, local: &HashSet<String>) -> bool {
    include.resolved.is_none() && !single_name(&include.path).is_some_and(|n| local.contains(&n))
}

fn pending_mut<'a>(input: &'a mut Input, local: &HashSet<String>) -> Option<&'a mut Include> {
    let bodies: Vec<&mut Body> = match input {
        Input::Items(decls) => decls.iter_mut().map(|decl| &mut decl.body).collect(),
        Input::Expr(body) => vec![body],
    };
    bodies
        .into_iter()
        .flat_map(|body| body.stmts.iter_mut())
        .find_map(|stmt| match stmt {
            Stmt::Include(include) if is_external(include, local) => Some(include),
            _ => None,
        })
}

fn first_pending(input: &Input, local: &HashSet<String>) -> Option<Path> {
    bodies(input)
        .into_iter()
        .flat_map(|body| &body.stmts)
        .find_map(|stmt| match stmt {
            Stmt::Include(include) if is_external(include, local) => Some(include.path.clone()),
            _ => None,
        })
}

/// Puts the entries a companion macro sent in place of the include that asked.
fn apply_splice(input: &mut Input, local: &HashSet<String>, splice: Splice) -> syn::Result<()> {
    let Some(include) = pending_mut(input, local) else {
        return Err(syn::Error::new(
            Span::call_site(),
            "mountns internal error: an included namespace arrived with no include waiting for it",
        ));
    };
    if include.path.to_token_stream().to_string() != splice.path.to_string() {
        return Err(syn::Error::new_spanned(
            &include.tokens,
            "mountns internal error: an included namespace arrived for another include",
        ));
    }
    let body = Body::parse_statements.parse2(splice.body.clone())?;
    include.resolved = Some((body, splice.body));
    Ok(())
}

/// Asks the companion of `path` for its entries, passing the invocation along.
fn resume(path: &Path, input: &Input) -> TokenStream {
    let state = serialize(input);
    // A check of its own, for a clearer message when `path` is not a namespace.
    let check = quote_spanned! {path_span(path)=>
        const _: () = {
            let _: &'static ::mountns::__private::Namespace = &#path;
        };
    };
    let call = quote! { #path ! { @mountns_include [#path] #state } };
    match input {
        Input::Items(_) => quote! { #check #call },
        Input::Expr(_) => quote! { { #check #call } },
    }
}

fn path_span(path: &Path) -> Span {
    syn::spanned::Spanned::span(path)
}

fn serialize(input: &Input) -> TokenStream {
    match input {
        Input::Items(decls) => decls
            .iter()
            .map(|decl| {
                let Decl {
                    attrs,
                    vis,
                    static_token,
                    name,
                    body,
                } = decl;
                let body = serialize_body(body);
                quote! { #(#attrs)* #vis #static_token #name = { #body }; }
            })
            .collect(),
        Input::Expr(body) => serialize_body(body),
    }
}

fn serialize_body(body: &Body) -> TokenStream {
    body.stmts
        .iter()
        .map(|stmt| match stmt {
            Stmt::Bind(bind) => bind.tokens.clone(),
            Stmt::Include(Include {
                include_token,
                path,
                resolved: Some((_, tokens)),
                ..
            }) => quote! { #include_token #path => { #tokens }; },
            Stmt::Include(include) => include.tokens.clone(),
        })
        .collect()
}

/// Where an entry came from, for messages and for emitting its source.
#[derive(Clone)]
struct Origin {
    /// The statement of the declaration being expanded; for an included entry, the
    /// `include` statement that brought it in.
    stmt: TokenStream,
    /// The statement the entry was written in, as text.
    text: String,
    /// The includes it came through, outermost first.
    via: Vec<String>,
    /// The target literal's span.
    target_span: Span,
    source: SourceCode,
    /// Position among the declaration's entries.
    id: usize,
}

/// How to emit an entry's source.
#[derive(Clone)]
enum SourceCode {
    Lit(String, Span),
    Tmpfs(String, Vec<valid::Param>),
    Expr(Box<Expr>),
    Included(Path, usize),
}

impl Origin {
    fn describe(&self) -> String {
        if self.via.is_empty() {
            format!("`{}`", self.text)
        } else {
            format!("`{}` (included from {})", self.text, self.via.join(" > "))
        }
    }
}

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
}

impl<'a> Flattener<'a> {
    fn body(&mut self, body: &'a Body, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        for stmt in &body.stmts {
            match stmt {
                Stmt::Bind(bind) => self.bind(bind, cx, out),
                Stmt::Include(include) => self.include(include, cx, out),
            }
        }
    }

    fn include(&mut self, include: &'a Include, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        let mut inner = cx.clone();
        inner.stmt = Some(cx.stmt.unwrap_or(&include.tokens));
        let shown = include.path.to_token_stream().to_string().replace(' ', "");
        inner.via.push(shown);
        if let Some((body, _)) = &include.resolved {
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
        inner.stack.push(name);
        inner.sources_of = None;
        self.body(&decl.body, &inner, out);
    }

    fn bind(&mut self, bind: &'a Bind, cx: &Context<'a>, out: &mut Vec<Entry<Origin>>) {
        let stmt = cx.stmt.unwrap_or(&bind.tokens);
        let at = |span: Span| if cx.stmt.is_some() { None } else { Some(span) };
        let mut failed = false;
        let mut error = |this: &mut Self, span: Span, message: String| {
            failed = true;
            let error = match at(span) {
                Some(span) => syn::Error::new(span, message),
                None => {
                    syn::Error::new_spanned(stmt, format!("in an included statement: {message}"))
                }
            };
            this.errors.push(error);
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
            let span = source.span();
            let code = match source {
                Source::Lit(lit) => match valid::source(&lit.value()) {
                    Ok(path) => (What::Host(path.clone()), SourceCode::Lit(path, lit.span())),
                    Err(message) => {
                        error(self, span, message);
                        continue;
                    }
                },
                Source::Tmpfs { options, .. } => {
                    let text = options.as_ref().map(LitStr::value).unwrap_or_default();
                    match valid::tmpfs_options(&text) {
                        Ok(params) => (What::Tmpfs(text.clone()), SourceCode::Tmpfs(text, params)),
                        Err(message) => {
                            error(self, span, message);
                            continue;
                        }
                    }
                }
                Source::Expr(expr) => (
                    What::Host(format!("{{{}}}", expr.to_token_stream())),
                    SourceCode::Expr(expr.clone()),
                ),
                Source::Included { index, .. } => match cx.sources_of {
                    Some(path) => (
                        What::Host(format!("{{{}.{index}}}", path.to_token_stream())),
                        SourceCode::Included(path.clone(), *index),
                    ),
                    None => {
                        error(
                            self,
                            span,
                            "`@src` is internal to mountns; write a path".into(),
                        );
                        continue;
                    }
                },
            };
            sources.push(code);
        }
        if failed {
            return;
        }
        let text = render(bind);
        for (target, target_span) in targets {
            let own = [(
                What::Host(target.path.clone()),
                SourceCode::Lit(target.path.clone(), target_span),
            )];
            let sources = if sources.is_empty() {
                &own[..]
            } else {
                &sources[..]
            };
            for (what, code) in sources {
                out.push(Entry {
                    target: target.path.clone(),
                    dir: target.dir,
                    flags,
                    what: what.clone(),
                    origin: Origin {
                        stmt: stmt.clone(),
                        text: text.clone(),
                        via: cx.via.clone(),
                        target_span,
                        source: code.clone(),
                        id: out.len(),
                    },
                });
            }
        }
    }
}

/// A statement as text for messages: `bind ro "/usr/"`.
fn render(bind: &Bind) -> String {
    let mut text = String::from("bind");
    for flag in &bind.flags {
        text += &format!(" {flag}");
    }
    let list = |items: Vec<String>, is_list: bool| {
        if is_list {
            format!(" [{}]", items.join(", "))
        } else {
            format!(" {}", items.join(", "))
        }
    };
    text += &list(
        bind.targets
            .iter()
            .map(|t| format!("{:?}", t.value()))
            .collect(),
        bind.target_list,
    );
    if !bind.sources.is_empty() {
        text += &list(
            bind.sources
                .iter()
                .map(|s| match s {
                    Source::Lit(lit) => format!("{:?}", lit.value()),
                    Source::Tmpfs {
                        options: Some(options),
                        ..
                    } => format!("tmpfs({:?})", options.value()),
                    Source::Tmpfs { options: None, .. } => "tmpfs".into(),
                    Source::Expr(expr) => expr.to_token_stream().to_string(),
                    Source::Included { .. } => "(a constant)".into(),
                })
                .collect(),
            bind.source_list,
        );
    }
    text
}

/// Flattens one declaration's body (or the expression form's) into entries.
/// The entries of the statements that are valid, and the errors of the others.
fn flatten<'a>(
    decls: &'a [Decl],
    name: Option<&Ident>,
    body: &'a Body,
) -> (Vec<Entry<Origin>>, Errors) {
    let mut flattener = Flattener {
        decls,
        errors: Errors::default(),
    };
    let cx = Context {
        stmt: None,
        via: Vec::new(),
        sources_of: None,
        stack: name.map(ToString::to_string).into_iter().collect(),
    };
    let mut entries = Vec::new();
    flattener.body(body, &cx, &mut entries);
    (entries, flattener.errors)
}

fn quoted(target: &str, dir: bool) -> String {
    format!("\"{target}{}\"", if dir { "/" } else { "" })
}

/// Turns collapse errors into messages at the statements to blame.
fn collapse_error(error: collapse::Error<Origin>) -> syn::Error {
    let at = &error.at;
    let target = quoted(&at.target, at.dir);
    let other = error
        .other
        .as_ref()
        .map(|other| other.origin.describe())
        .unwrap_or_default();
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
        Problem::UnionOnFile => format!(
            "several mounts on {target} make a union, and a union needs a directory: write \"{}/\"",
            at.target
        ),
        Problem::TooManyLayers(count) => format!(
            "a union of {count} sources on {target} is over overlayfs's limit of {} sources (its {} layers, less one for the skeleton)",
            collapse::MAX_LAYERS - 1,
            collapse::MAX_LAYERS
        ),
        Problem::SameSource => {
            format!("this source is bound onto {target} twice (also by {other}); drop one")
        }
        Problem::ReadOnlyWritableUnion => format!(
            "`ro` cannot apply to {target}: with a tmpfs ({other}) the union on it is writable; drop `ro` or the tmpfs"
        ),
        Problem::ReadOnlyTmpfs => {
            format!("a read-only tmpfs on {target} would stay empty; drop `ro`")
        }
        Problem::UnderFile => format!(
            "{target} lies under {}, a file mount ({other}); a file has no children",
            error
                .other
                .as_ref()
                .map(|o| quoted(&o.target, o.dir))
                .unwrap_or_default()
        ),
    };
    if at.origin.via.is_empty() {
        syn::Error::new_spanned(&at.origin.stmt, message)
    } else {
        syn::Error::new_spanned(
            &at.origin.stmt,
            format!("{message}; the statement here is {}", at.origin.describe()),
        )
    }
}

/// Flattens, checks and collapses a declaration.
/// A declaration's entries, in declaration order, and its collapsed table.
type Table = (Vec<Entry<Origin>>, Vec<Mount<Origin>>);

fn table(decls: &[Decl], name: Option<&Ident>, body: &Body) -> syn::Result<Table> {
    // Valid statements are collapsed even when others failed, so that conflicts
    // are reported together with syntax and value errors.
    let (entries, mut errors) = flatten(decls, name, body);
    let mounts = collapse::collapse(entries.clone()).unwrap_or_else(|conflicts| {
        for conflict in conflicts {
            errors.push(collapse_error(conflict));
        }
        Vec::new()
    });
    errors.finish()?;
    Ok((entries, mounts))
}

/// The front end without the tokens: each declaration's entries (as origin ids, in
/// declaration order) and collapsed table, or `None` while an include of another
/// invocation is pending. For the fuzz tests.
#[cfg(test)]
pub(crate) type Tables = Vec<(usize, Vec<Mount<usize>>)>;

#[cfg(test)]
pub(crate) fn tables(tokens: TokenStream) -> syn::Result<Option<Tables>> {
    let input: Input = syn::parse2(tokens)?;
    let mut errors = Errors::default();
    for body in bodies(&input) {
        body_errors(body, &mut errors);
    }
    errors.finish()?;
    let local = local_names(&input);
    if first_pending(&input, &local).is_some() {
        return Ok(None);
    }
    let ids = |entry: &Entry<Origin>| Entry {
        target: entry.target.clone(),
        dir: entry.dir,
        flags: entry.flags,
        what: entry.what.clone(),
        origin: entry.origin.id,
    };
    let one = |decls: &[Decl], name: Option<&Ident>, body: &Body| {
        table(decls, name, body).map(|(entries, mounts)| {
            let mounts = mounts
                .iter()
                .map(|m| Mount {
                    target: m.target.clone(),
                    dir: m.dir,
                    flags: m.flags,
                    in_tmpfs: m.in_tmpfs,
                    kind: match &m.kind {
                        Kind::Bind(e) => Kind::Bind(ids(e)),
                        Kind::Tmpfs(e) => Kind::Tmpfs(ids(e)),
                        Kind::Union { lowers, upper } => Kind::Union {
                            lowers: lowers.iter().map(ids).collect(),
                            upper: upper.as_ref().map(ids),
                        },
                    },
                })
                .collect();
            (entries.len(), mounts)
        })
    };
    let tables = match &input {
        Input::Items(decls) => decls
            .iter()
            .map(|decl| one(decls, Some(&decl.name), &decl.body))
            .collect::<syn::Result<Vec<_>>>()?,
        Input::Expr(body) => vec![one(&[], None, body)?],
    };
    Ok(Some(tables))
}

fn expand_items(decls: &[Decl]) -> syn::Result<TokenStream> {
    let mut output = TokenStream::new();
    let mut errors = Errors::default();
    for decl in decls {
        match table(decls, Some(&decl.name), &decl.body) {
            Ok((entries, mounts)) => output.extend(item(decl, &entries, &mounts)?),
            Err(error) => errors.push(error),
        }
    }
    errors.finish()?;
    Ok(output)
}

fn expand_expr(body: &Body) -> syn::Result<TokenStream> {
    let (entries, mounts) = table(&[], None, body)?;
    let init = initializer(&entries, &mounts)?;
    let ns = Ident::new("NAMESPACE", Span::mixed_site());
    Ok(quote! {
        {
            static #ns: ::mountns::__private::Namespace = #init;
            &#ns
        }
    })
}

/// The `static` of a declaration, and its companion macro for includes elsewhere.
fn item(
    decl: &Decl,
    entries: &[Entry<Origin>],
    mounts: &[Mount<Origin>],
) -> syn::Result<TokenStream> {
    let Decl {
        attrs,
        vis,
        static_token,
        name,
        body,
    } = decl;
    let init = initializer(entries, mounts)?;
    let companion = companion(entries);
    // `#[macro_export]` puts every companion at the crate root: where the declaration
    // stands keeps two namespaces of one name in different modules apart.
    let mut hasher = DefaultHasher::new();
    name.to_string().hash(&mut hasher);
    let start = name.span().start();
    (name.span().file(), start.line, start.column).hash(&mut hasher);
    serialize_body(body).to_string().hash(&mut hasher);
    let macro_name = format_ident!("__mountns_{}_{:016x}", name, hasher.finish());
    Ok(quote! {
        #(#attrs)*
        #vis #static_token #name: ::mountns::__private::Namespace = #init;

        #[doc(hidden)]
        #[macro_export]
        macro_rules! #macro_name {
            (@mountns_include [$($path:tt)*] $($rest:tt)*) => {
                ::mountns::__private::namespace! {
                    @mountns_splice [$($path)*] { #companion } $($rest)*
                }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #macro_name as #name;
    })
}

/// The entries of a declaration as statements, for the namespaces that include it:
/// literal sources as literals, the others as `@src(N)`, read from its table.
fn companion(entries: &[Entry<Origin>]) -> TokenStream {
    let mut index = 0usize;
    entries
        .iter()
        .map(|entry| {
            let flags = valid::FLAGS
                .iter()
                .filter(|(_, bits)| entry.flags & bits != 0)
                .map(|(word, _)| Ident::new(word, Span::call_site()));
            let target = LitStr::new(
                &format!("{}{}", entry.target, if entry.dir { "/" } else { "" }),
                entry.origin.target_span,
            );
            let source = match &entry.origin.source {
                SourceCode::Lit(path, span) => LitStr::new(path, *span).into_token_stream(),
                SourceCode::Tmpfs(options, _) => quote!(tmpfs(#options)),
                SourceCode::Expr(_) | SourceCode::Included(..) => {
                    let k = index;
                    index += 1;
                    quote!(@src(#k))
                }
            };
            quote! { bind #(#flags)* #target #source; }
        })
        .collect()
}

fn c_lit(value: &str, span: Span) -> syn::Result<LitCStr> {
    let value = std::ffi::CString::new(value)
        .map_err(|_| syn::Error::new(span, "a path must not contain a NUL byte"))?;
    Ok(LitCStr::new(&value, span))
}

/// The initializer of a `Namespace` static: one block of private statics.
fn initializer(entries: &[Entry<Origin>], mounts: &[Mount<Origin>]) -> syn::Result<TokenStream> {
    let private = quote!(::mountns::__private);
    let mut items = TokenStream::new();

    // Non-literal sources, in declaration order: they are this table's `sources`.
    let mut source_names = Vec::new();
    for entry in entries {
        let name = format_ident!("SOURCE_{}", source_names.len(), span = Span::mixed_site());
        let init = match &entry.origin.source {
            SourceCode::Expr(expr) => {
                let span = syn::spanned::Spanned::span(&**expr);
                let value = Ident::new("VALUE", Span::mixed_site());
                let bytes = Ident::new("BYTES", Span::mixed_site());
                quote_spanned! {span=> {
                    const #value: &str = #expr;
                    const #bytes: [u8; #value.len() + 1] =
                        ::mountns::__private::source_bytes(#value);
                    ::mountns::__private::host_path(&#bytes)
                }}
            }
            SourceCode::Included(path, index) => quote! { #path.__source(#index) },
            _ => continue,
        };
        items.extend(quote! { static #name: &::core::ffi::CStr = #init; });
        source_names.push((entry.origin.clone(), name));
    }
    let source_of = |entry: &Entry<Origin>| -> syn::Result<TokenStream> {
        match &entry.origin.source {
            SourceCode::Lit(path, span) => Ok(c_lit(path, *span)?.into_token_stream()),
            _ => {
                let found = source_names
                    .iter()
                    .find(|(origin, _)| origin.id == entry.origin.id)
                    .map(|(_, name)| name.to_token_stream());
                found.ok_or_else(|| {
                    syn::Error::new(Span::call_site(), "mountns internal error: unknown source")
                })
            }
        }
    };
    let tmpfs =
        |entry: &Entry<Origin>, items: &mut TokenStream, n: usize| -> syn::Result<TokenStream> {
            let SourceCode::Tmpfs(options, params) = &entry.origin.source else {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "mountns internal error: not a tmpfs",
                ));
            };
            let span = entry.origin.target_span;
            let mut list = Vec::new();
            for (key, value) in params {
                let key = c_lit(key, span)?;
                let value = match value {
                    Some(value) => {
                        let value = c_lit(value, span)?;
                        quote!(::core::option::Option::Some(#value))
                    }
                    None => quote!(::core::option::Option::None),
                };
                list.push(quote!(#private::Param::__new(#key, #value)));
            }
            let name = format_ident!("PARAMS_{}", n, span = Span::mixed_site());
            let len = list.len();
            items.extend(quote! { static #name: [#private::Param; #len] = [#(#list),*]; });
            let options = c_lit(options, span)?;
            Ok(quote!(#private::Tmpfs::__new(#options, &#name)))
        };

    let mut rows = Vec::new();
    let mut uppers = 0u32;
    for (n, mount) in mounts.iter().enumerate() {
        let target = c_lit(&mount.target, Span::call_site())?;
        let kind = match &mount.kind {
            Kind::Bind(entry) => {
                let source = source_of(entry)?;
                quote!(#private::Kind::Bind { source: #source })
            }
            Kind::Tmpfs(entry) => {
                let tmpfs = tmpfs(entry, &mut items, n)?;
                quote!(#private::Kind::Tmpfs(#tmpfs))
            }
            Kind::Union { lowers, upper } => {
                let lowers = lowers
                    .iter()
                    .map(&source_of)
                    .collect::<syn::Result<Vec<_>>>()?;
                let name = format_ident!("LOWERS_{}", n, span = Span::mixed_site());
                let len = lowers.len();
                items.extend(quote! {
                    static #name: [&::core::ffi::CStr; #len] = [#(#lowers),*];
                });
                let upper = match upper {
                    Some(entry) => {
                        let tmpfs = tmpfs(entry, &mut items, n)?;
                        let index = uppers;
                        uppers += 1;
                        quote!(::core::option::Option::Some(#private::Upper::__new(#tmpfs, #index)))
                    }
                    None => quote!(::core::option::Option::None),
                };
                quote!(#private::Kind::Union { lowers: &#name, upper: #upper })
            }
        };
        let dir = mount.dir;
        let flags = mount.flags;
        let in_tmpfs = mount.in_tmpfs;
        rows.push(quote! {
            #private::Mount::__new(#target, #dir, #private::Flags::__from_bits(#flags), #kind, #in_tmpfs)
        });
    }
    let skeleton = collapse::skeleton(mounts)
        .into_iter()
        .map(|(path, dir)| {
            let path = c_lit(&path, Span::call_site())?;
            Ok(quote!(#private::Mountpoint::__new(#path, #dir)))
        })
        .collect::<syn::Result<Vec<_>>>()?;
    let sources = source_names.iter().map(|(_, name)| name);
    let (mounts_len, skeleton_len, sources_len) = (rows.len(), skeleton.len(), source_names.len());
    let [mounts_name, skeleton_name, sources_name] =
        ["MOUNTS", "SKELETON", "SOURCES"].map(|name| Ident::new(name, Span::mixed_site()));
    Ok(quote! {{
        #items
        static #mounts_name: [#private::Mount; #mounts_len] = [#(#rows),*];
        static #skeleton_name: [#private::Mountpoint; #skeleton_len] = [#(#skeleton),*];
        static #sources_name: [&::core::ffi::CStr; #sources_len] = [#(#sources),*];
        #private::Namespace::__new(&#mounts_name, &#skeleton_name, &#sources_name)
    }})
}

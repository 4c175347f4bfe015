//! Includes: which ones wait for another invocation, asking a companion macro for
//! their entries, and splicing in what it sends back.
//!
//! Includes across invocations go through a companion `macro_rules!` that every item
//! declaration exports and re-exports under its own name (macros and statics live in
//! different namespaces, so `a::B` names both). When the invocation includes `a::B`,
//! it expands to `a::B! { @mountns_include [a::B] <itself> }`; the companion answers
//! with `::mountns::__private::namespace_resumed! { @mountns_splice [a::B] { B's entries }
//! <the invocation> }`, and the macro runs again with `B` resolved. Only that hidden
//! macro reads these forms: in `namespace!` they are syntax errors. Includes of a
//! namespace declared in the same invocation are resolved directly, by `flatten`.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::Path;
use syn::parse::Parser;

use crate::parse::{Body, Decl, Include, Input, Splice, Stmt};

/// The names the invocation declares: includes of them are resolved here, not by a
/// companion macro.
pub fn local_names(input: &Input) -> HashSet<String> {
    match input {
        Input::Items(decls) => decls.iter().map(|d| d.name.to_string()).collect(),
        Input::Expr(_) => HashSet::new(),
    }
}

/// The name an include refers to when it is a single identifier.
pub fn single_name(path: &Path) -> Option<String> {
    path.get_ident().map(ToString::to_string)
}

/// Whether an include waits for another invocation's companion macro.
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

pub fn first_pending(input: &Input, local: &HashSet<String>) -> Option<Path> {
    input
        .bodies()
        .into_iter()
        .flat_map(|body| &body.stmts)
        .find_map(|stmt| match stmt {
            Stmt::Include(include) if is_external(include, local) => Some(include.path.clone()),
            _ => None,
        })
}

/// Puts the entries a companion macro sent in place of the include that asked.
pub fn apply_splice(input: &mut Input, local: &HashSet<String>, splice: Splice) -> syn::Result<()> {
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
pub fn resume(path: &Path, input: &Input) -> TokenStream {
    let state = serialize(input);
    // A check of its own, for a clearer message when `path` is not a namespace.
    let check = quote_spanned! {path_span(path)=>
        const _: () = ::mountns::__private::included(&#path);
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

pub fn serialize_body(body: &Body) -> TokenStream {
    body.stmts
        .iter()
        .map(|stmt| match stmt {
            Stmt::Include(Include {
                keyword,
                path,
                resolved: Some((_, tokens)),
                ..
            }) => quote! { #keyword #path => { #tokens }; },
            stmt => stmt.tokens().clone(),
        })
        .collect()
}

//! The driver: parse, resolve includes, flatten and check, collapse, emit. Each stage
//! has its file; this one only runs them in order and gathers their errors.

use proc_macro2::TokenStream;
use syn::Ident;
use syn::parse::{ParseStream, Parser};

use crate::model::{Errors, Problem, Table};
use crate::parse::{Body, Decl, Include, Input, Splice, Stmt};
use crate::{assertions, collapse, conflict, emit, flatten, include};

/// Which grammar an invocation is read with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    /// What users write: `namespace!`.
    Public,
    /// Also the forms a companion macro sends back (`@mountns_splice`, resolved
    /// includes, `@src(N)`): `__private::namespace_resumed!`.
    Internal,
}

/// The whole macro: tokens in, tokens (or every error found) out.
pub fn namespace(tokens: TokenStream, grammar: Grammar) -> syn::Result<TokenStream> {
    match front(tokens, grammar)? {
        Front::Pending(tokens) => Ok(tokens),
        Front::Items(items) => items
            .iter()
            .map(|(decl, table)| emit::item(decl, table))
            .collect(),
        Front::Expr(table) => emit::expression(&table),
    }
}

/// What the front end makes of an invocation.
pub enum Front {
    /// An include of another invocation must be resolved first: the tokens that ask
    /// its companion macro for it.
    Pending(TokenStream),
    /// Each declaration, in order, with its table.
    Items(Vec<(Decl, Table)>),
    /// The expression form's table.
    Expr(Box<Table>),
}

/// Everything but the tokens: syntax, includes, checks and the collapse, with every
/// error found reported together.
pub fn front(tokens: TokenStream, grammar: Grammar) -> syn::Result<Front> {
    let internal = grammar == Grammar::Internal;
    let (splice, tokens) = if internal && crate::parse::is_splice(&tokens) {
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
    let local = include::local_names(&input);
    if let Some(splice) = splice {
        include::apply_splice(&mut input, &local, splice)?;
    }
    // Statements that did not parse were skipped: report them, and with them what the
    // others have wrong, unless an include must be resolved first.
    let mut errors = Errors::default();
    let mut internal_forms = Errors::default();
    for body in input.bodies() {
        body_errors(body, &mut errors);
        if !internal {
            crate::parse::internal_forms(body, &mut internal_forms);
        }
    }
    if let Err(internal) = internal_forms.finish() {
        return Err(errors.with(internal));
    }
    if let Some(path) = include::first_pending(&input, &local) {
        errors.finish()?;
        return Ok(Front::Pending(include::resume(&path, &input)));
    }
    match input {
        Input::Items(decls) => {
            let mut tables = Vec::new();
            for (i, decl) in decls.iter().enumerate() {
                if decls[..i].iter().any(|earlier| earlier.name == decl.name) {
                    let name = &decl.name;
                    let message =
                        format!("`{name}` is declared twice in this `namespace!`; rename one");
                    errors.push(syn::Error::new(name.span(), message));
                }
                match table(&decls, Some(&decl.name), &decl.body) {
                    Ok(table) => tables.push(table),
                    Err(error) => errors.push(error),
                }
            }
            errors.finish()?;
            Ok(Front::Items(decls.into_iter().zip(tables).collect()))
        }
        Input::Expr(body) => match table(&[], None, &body) {
            Ok(table) => {
                errors.finish()?;
                Ok(Front::Expr(Box::new(table)))
            }
            Err(error) => Err(errors.with(error)),
        },
    }
}

/// Flattens, checks and collapses a declaration.
fn table(decls: &[Decl], name: Option<&Ident>, body: &Body) -> syn::Result<Table> {
    // Valid statements are collapsed even when others failed, so that conflicts
    // are reported together with syntax and value errors.
    let flatten::Flat {
        mut entries,
        settings,
        mut errors,
        dropped,
    } = flatten::flatten(decls, name, body);
    let mounts = collapse::collapse(&mut entries).unwrap_or_else(|conflicts| {
        for conflict in conflicts {
            // A dropped statement may have made its target a directory (a union or a
            // tmpfs): what lies under it is no error of its own.
            let after_drop = conflict.problem == Problem::UnderFile
                && conflict
                    .other
                    .as_ref()
                    .is_some_and(|parent| dropped.contains(&parent.target));
            if !after_drop {
                errors.push(conflict::message(&conflict));
            }
        }
        Vec::new()
    });
    for error in assertions::check(&mounts, &settings) {
        errors.push(error);
    }
    errors.finish()?;
    Ok(Table {
        entries,
        mounts,
        settings,
    })
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

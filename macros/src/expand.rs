//! The driver: parse, resolve includes, flatten and check, collapse, emit. Each stage
//! has its file; this one only runs them in order and gathers their errors.

use proc_macro2::{Span, TokenStream};
use syn::Ident;
use syn::parse::{ParseStream, Parser};

use crate::collapse::{self, Entry, Mount};
use crate::flatten::{Origin, Settings};
use crate::parse::{Body, Decl, Include, Input, Splice, Stmt};
use crate::{conflict, emit, flatten, include};

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
        Front::Ready { input, tables } => emit::emit(&input, &tables),
    }
}

/// What the front end makes of an invocation.
pub enum Front {
    /// An include of another invocation must be resolved first: the tokens that ask
    /// its companion macro for it.
    Pending(TokenStream),
    /// Every declaration's table, in order (one for the expression form).
    Ready { input: Input, tables: Vec<Table> },
}

/// A declaration's entries, in declaration order, its collapsed table and its
/// process-wide settings.
pub type Table = (Vec<Entry<Origin>>, Vec<Mount<Origin>>, Settings);

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
    if let Some(internal) = internal_forms.0 {
        errors.push(internal);
        return Err(errors
            .0
            .unwrap_or_else(|| syn::Error::new(Span::call_site(), "")));
    }
    if let Some(path) = include::first_pending(&input, &local) {
        errors.finish()?;
        return Ok(Front::Pending(include::resume(&path, &input)));
    }
    let mut tables = Vec::new();
    match &input {
        Input::Items(decls) => {
            for decl in decls {
                match table(decls, Some(&decl.name), &decl.body) {
                    Ok(table) => tables.push(table),
                    Err(error) => errors.push(error),
                }
            }
        }
        Input::Expr(body) => match table(&[], None, body) {
            Ok(table) => tables.push(table),
            Err(error) => errors.push(error),
        },
    }
    errors.finish()?;
    Ok(Front::Ready { input, tables })
}

/// Flattens, checks and collapses a declaration.
fn table(decls: &[Decl], name: Option<&Ident>, body: &Body) -> syn::Result<Table> {
    // Valid statements are collapsed even when others failed, so that conflicts
    // are reported together with syntax and value errors.
    let flatten::Flat {
        entries,
        settings,
        mut errors,
        dropped,
    } = flatten::flatten(decls, name, body);
    let mounts = collapse::collapse(entries.clone()).unwrap_or_else(|conflicts| {
        for conflict in conflicts {
            // A dropped statement may have made its target a directory (a union or a
            // tmpfs): what lies under it is no error of its own.
            let after_drop = conflict.problem == collapse::Problem::UnderFile
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
    for error in crate::assertions::check(&mounts, &settings) {
        errors.push(error);
    }
    errors.finish()?;
    Ok((entries, mounts, settings))
}

/// Errors gathered along the way, reported together.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
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

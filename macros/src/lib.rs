//! Implementation detail of `mountns`: the `namespace!` macro. Depend on `mountns`.
//!
//! One file per stage, run in order by `expand`: `parse` (syntax to AST), `include`
//! (includes of other invocations), `flatten` (statements to entries, each value
//! checked by `valid`), `collapse` (sort and collapse, on plain data; its conflicts
//! become messages in `conflict`), `assertions` (the `assert` statements, checked on
//! the collapsed table) and `emit` (tokens). The types they share are in `model`, on
//! the ground floor: a stage imports the model and the stages below it, never one
//! above.

mod assertions;
mod collapse;
mod conflict;
mod emit;
mod expand;
mod flatten;
#[cfg(test)]
mod fuzz;
mod include;
mod model;
mod modes;
mod parse;
mod policy;
mod valid;

// Its documentation is the `mountns` facade's, on the re-export: a doc comment here
// would be appended to it.
#[proc_macro]
pub fn namespace(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::namespace(input.into(), expand::Grammar::Public)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `namespace!` resumed by a companion macro with an included namespace's entries: the
/// public grammar plus the internal forms of `include` (see `include.rs`). Hidden, and
/// reached only through `mountns::__private`.
#[doc(hidden)]
#[proc_macro]
pub fn namespace_resumed(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::namespace(input.into(), expand::Grammar::Internal)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

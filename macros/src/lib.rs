//! Implementation detail of `mountns`: the `namespace!` macro. Depend on `mountns`.
//!
//! One file per stage: `parse` (syntax to AST), `valid` (single values), `collapse`
//! (the seed's sort and collapse, on plain data) and `expand` (includes, checks,
//! tokens).

mod collapse;
mod expand;
#[cfg(test)]
mod fuzz;
mod parse;
mod valid;

/// Declares mount namespaces; see the `mountns` crate for the grammar.
#[proc_macro]
pub fn namespace(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand::namespace(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

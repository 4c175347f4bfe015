//! Compile-fail tests: every mistake in a declaration is a compile error at the
//! statement or literal that made it. One scenario a file in tests/ui/; those in
//! tests/ui/pass/ are declarations that must compile.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}

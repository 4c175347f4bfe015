//! Compile-fail tests: every mistake in a declaration is a compile error at the
//! statement or literal that made it. One scenario a file in tests/ui/.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

//! Nothing here: the compile-fail suite is `tests/compiletest.rs`, one scenario a file
//! in `tests/ui/`.

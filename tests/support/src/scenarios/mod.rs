//! Scenarios that two test binaries run, one for each way of making an overlay: with
//! the kernel's newest API, and through mount(2)'s option string, which a test binary
//! of its own forces (`force_legacy_unions` holds for the whole process).

pub mod roots;
pub mod unions;
pub mod uppers;

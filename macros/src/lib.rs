//! Implementation detail of `mountns`: the `namespace!` macro.

//! Namespaces declared in another crate, included from mountns's tests.

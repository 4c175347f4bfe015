//! `namespace!` expanded in a crate of edition 2015, where a path starts at the crate
//! root: a declaration there and in a module, includes between them and from the
//! facade, and the expression form, read back by the tests.

#[macro_use]
extern crate mountns;

namespace! {
    /// A host bind and a tmpfs at the crate root.
    pub static TOP = {
        bind ro "/usr/";
        bind "/tmp/" tmpfs("size=1M");
    };
}

pub mod inner {
    namespace! {
        /// In a module, including the crate root's (a 2015 path: `::TOP`) and the
        /// facade's namespace.
        pub static IN = {
            include ::TOP;
            include ::mountns::MINIMAL;
            symlink "/bin" "usr/bin";
        };
    }
}

/// The expression form.
pub fn expression() -> &'static mountns::Namespace {
    namespace! {
        include inner::IN;
        bind "/srv/" tmpfs;
    }
}

#[cfg(test)]
mod tests {
    use super::{expression, inner, TOP};

    fn targets(ns: &mountns::Namespace) -> Vec<String> {
        ns.mounts()
            .iter()
            .map(|m| m.target().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn declarations_and_includes_expand_in_edition_2015() {
        assert_eq!(targets(&TOP), ["/tmp", "/usr"]);
        let inner = targets(&inner::IN);
        for target in &["/bin", "/tmp", "/usr", "/dev", "/proc"] {
            assert!(
                inner.iter().any(|t| t == target),
                "{} in {:?}",
                target,
                inner
            );
        }
        let outer = targets(expression());
        assert!(outer.iter().any(|t| t == "/srv"), "{:?}", outer);
        assert_eq!(outer.len(), inner.len() + 1, "{:?}", outer);
    }
}

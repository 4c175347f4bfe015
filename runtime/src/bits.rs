//! Sets of named bits, as a table holds them: the flags of a mount ([`Flags`]) and the
//! namespaces a table makes ([`Unshare`]), both defined by [`bit_set!`].
//!
//! [`Flags`]: crate::Flags
//! [`Unshare`]: crate::Unshare

use core::fmt;

/// Defines a set of bits of type `$bits`: `NONE`, a constant per bit, `ALL` (each bit
/// with the word that names it in a declaration, from the table `$words` the macro
/// reads too), `bits`, `contains`, `union`, and a `Display` that writes the words of the
/// bits it holds, comma-separated.
macro_rules! bit_set {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($bits:ty) named in $words:path;
        $(#[$none:meta])*
        NONE;
        $(#[$all:meta])*
        ALL;
        $(
            $(#[$bit_meta:meta])*
            $bit:ident = $value:literal;
        )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name($bits);

        impl $name {
            $(#[$none])*
            pub const NONE: $name = $name(0);
            $(
                $(#[$bit_meta])*
                pub const $bit: $name = $name($value);
            )*

            $(#[$all])*
            pub const ALL: &'static [($name, &'static str)] = &[$(
                ($name::$bit, mountns_paths::words::word($words, stringify!($bit)))
            ),*];

            /// The raw bits.
            pub const fn bits(self) -> $bits {
                self.0
            }

            /// Whether every bit of `other` is set in `self`.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// The bits of `self` and of `other`.
            #[must_use]
            pub const fn union(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }

            /// The bits of `self` that are not in `other`.
            #[must_use]
            #[allow(dead_code)]
            pub(crate) const fn difference(self, other: $name) -> $name {
                $name(self.0 & !other.0)
            }
        }

        // Every word of the shared table has its constant here (the other way round,
        // `word` checks).
        const _: () = assert!($name::ALL.len() == $words.len());

        impl core::fmt::Display for $name {
            /// The words of the bits set, comma-separated: `ro,noexec`.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let words = $name::ALL.iter().filter(|(bit, _)| self.contains(*bit));
                $crate::bits::write_words(f, words.map(|(_, word)| *word))
            }
        }
    };
}

pub(crate) use bit_set;

/// `words`, comma-separated: the flags, namespaces or capabilities of a set.
pub(crate) fn write_words<'a>(
    f: &mut fmt::Formatter<'_>,
    words: impl Iterator<Item = &'a str>,
) -> fmt::Result {
    for (i, word) in words.enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        f.write_str(word)?;
    }
    Ok(())
}

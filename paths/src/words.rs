//! The words of a declaration's flags (`bind ro ..`) and namespaces (`unshare [net]`),
//! each with the name of the `mountns` constant that carries it. The macro reads a
//! statement's words with these tables and names the constants in the table it emits;
//! the runtime's `Flags::ALL` and `Unshare::ALL` take each constant's word from here
//! ([`word`], which fails to compile for a constant without its word; the facade
//! checks the positions while it compiles).
//!
//! Within the macro, a word is the bit of its position in its table ([`bit`]); a
//! flag's bit is also the runtime's.

/// The flag words, each with its `mountns::Flags` constant: those of a `bind`
/// statement, then `rw`, which only `file` takes.
pub const FLAGS: &[(&str, &str)] = &[
    ("ro", "READ_ONLY"),
    ("dev", "DEV"),
    ("noexec", "NOEXEC"),
    ("rw", "RW"),
];

/// The words of `unshare [..]`, each with its `mountns::Unshare` constant.
pub const UNSHARE: &[(&str, &str)] = &[
    ("pid", "PID"),
    ("net", "NET"),
    ("ipc", "IPC"),
    ("uts", "UTS"),
    ("cgroup", "CGROUP"),
];

/// The position of `word` in `table`.
///
/// ```
/// use mountns_paths::words::{FLAGS, position};
/// assert_eq!(position(FLAGS, "dev"), Some(1));
/// assert_eq!(position(FLAGS, "nodev"), None);
/// ```
#[must_use]
pub const fn position(table: &[(&str, &str)], word: &str) -> Option<usize> {
    let mut i = 0;
    while i < table.len() {
        if crate::equal(table[i].0.as_bytes(), word.as_bytes()) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The bit of `word` in `table`: `1 << position`.
///
/// # Panics
///
/// If `table` does not hold `word`: for constants, whose evaluation then fails.
#[must_use]
pub const fn bit(table: &[(&str, &str)], word: &str) -> u32 {
    match position(table, word) {
        Some(position) => 1 << position,
        None => panic!("no such word"),
    }
}

/// The word of the constant named `name` in `table`.
///
/// ```
/// use mountns_paths::words::{FLAGS, word};
/// assert_eq!(word(FLAGS, "READ_ONLY"), "ro");
/// ```
///
/// # Panics
///
/// If `table` has no constant of that name (at compile time, where the runtime calls
/// it: a constant added to one side only).
#[must_use]
pub const fn word(table: &[(&'static str, &str)], name: &str) -> &'static str {
    let mut i = 0;
    while i < table.len() {
        if crate::equal(table[i].1.as_bytes(), name.as_bytes()) {
            return table[i].0;
        }
        i += 1;
    }
    panic!("mountns: a constant without its word in mountns_paths::words")
}

#[cfg(test)]
mod tests {
    use super::{FLAGS, UNSHARE, bit, position};

    #[test]
    fn each_word_is_its_position() {
        for table in [FLAGS, UNSHARE] {
            for (i, (word, _)) in table.iter().enumerate() {
                assert_eq!(position(table, word), Some(i));
                assert_eq!(bit(table, word), 1 << i);
            }
        }
        assert_eq!(position(FLAGS, "RO"), None);
        assert_eq!(position(UNSHARE, "user"), None);
    }
}

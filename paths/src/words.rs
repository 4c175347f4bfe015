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

/// Where a row's mountpoint is made: the `mountns::MadeIn` variants, in the order
/// [`row_bits`] numbers them.
pub const MADE_IN: &[&str] = &["Skeleton", "Tmpfs", "Dev", "Upper"];

/// A row's bit for a directory target; the flags' bits are below it.
const DIR: u32 = 1 << 8;

/// Where [`MADE_IN`]'s position sits in a row's bits.
const MADE_IN_SHIFT: u32 = 9;

/// A table's row in one number, as the macro writes each row of a table that may hold
/// thousands: the bits of its flags (their positions in [`FLAGS`]), whether its target
/// is a directory, and where its mountpoint is made (the position in [`MADE_IN`]);
/// `None` if `flags` has a bit that is no flag's, or `made_in` is no position in
/// [`MADE_IN`]. [`row_parts`] reads it back.
///
/// ```
/// use mountns_paths::words::{row_bits, row_parts};
/// assert_eq!(row_bits(0b101, true, 3).map(row_parts), Some((0b101, true, 3)));
/// assert_eq!(row_bits(1 << 4, false, 0), None);
/// ```
#[must_use]
#[allow(clippy::cast_possible_truncation)] // `made_in` is below `MADE_IN.len()`
pub const fn row_bits(flags: u32, dir: bool, made_in: usize) -> Option<u32> {
    if flags >= 1 << FLAGS.len() || made_in >= MADE_IN.len() {
        return None;
    }
    Some(flags | if dir { DIR } else { 0 } | (made_in as u32) << MADE_IN_SHIFT)
}

/// What [`row_bits`] put in one number: the flags' bits, whether the target is a
/// directory, and where the mountpoint is made (a position in [`MADE_IN`]).
///
/// # Panics
///
/// If `bits` are not [`row_bits`]'s: at compile time, where the runtime reads the
/// macro's rows.
#[must_use]
pub const fn row_parts(bits: u32) -> (u32, bool, usize) {
    // Every bit is read: the flags' below `DIR`, `MADE_IN`'s from its shift up.
    let (flags, made_in) = (bits & (DIR - 1), (bits >> MADE_IN_SHIFT) as usize);
    assert!(
        flags < 1 << FLAGS.len() && made_in < MADE_IN.len(),
        "mountns: a row's bits are the macro's"
    );
    (flags, bits & DIR != 0, made_in)
}

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
    use super::{FLAGS, MADE_IN, UNSHARE, bit, position, row_bits, row_parts};

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

    #[test]
    fn a_row_s_bits_read_back() {
        for flags in 0..1 << FLAGS.len() {
            for dir in [false, true] {
                for made_in in 0..MADE_IN.len() {
                    assert_eq!(
                        row_bits(flags, dir, made_in).map(row_parts),
                        Some((flags, dir, made_in))
                    );
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "a row's bits are the macro's")]
    fn bits_no_row_has_are_refused() {
        let _ = row_parts(1 << 30);
    }
}

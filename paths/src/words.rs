//! The words of a statement's flags and of `unshare [..]`, each with the name of the
//! constant of `mountns::Flags` or `mountns::Unshare` it stands for. The macro parses
//! the words and emits the constants with them; the runtime prints a table's sets with
//! them, and checks while it compiles that each of its constants has its word here.

/// The flag words: those of a `bind` statement, then `rw`, which only `file` takes.
/// Within the macro, a flag is the bit of its position here.
pub const FLAGS: [(&str, &str); 4] = [
    ("ro", "READ_ONLY"),
    ("dev", "DEV"),
    ("noexec", "NOEXEC"),
    ("rw", "RW"),
];

/// The words of `unshare [..]`. Within the macro, a namespace is the bit of its
/// position here.
pub const UNSHARE: [(&str, &str); 5] = [
    ("pid", "PID"),
    ("net", "NET"),
    ("ipc", "IPC"),
    ("uts", "UTS"),
    ("cgroup", "CGROUP"),
];

/// The word of the constant named `name` in `table`.
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

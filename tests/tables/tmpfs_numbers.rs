//! The numbers of tmpfs options, the macro's reading against the kernel's: every text
//! the macro accepts mounts a tmpfs with exactly the number it says (`size`, `nr_blocks`,
//! `nr_inodes`, `uid`; a quota limit is accepted), and every text it refuses is one the
//! kernel refuses or reads as another number than the text says (octal, wrapped past
//! 2^64), or past a limit the macro states. The kernel's side is a real tmpfs, mounted
//! in a child's own mount namespace (a user namespace too without root), read back
//! with `stat`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use mountns_paths::tmpfs::{self, Problem, Size};

/// What the kernel made of one option.
#[derive(Debug, PartialEq, Eq)]
enum Kernel {
    Refused,
    /// Blocks of 4 KiB (0: no limit), inodes (0: no limit), and the root's owner.
    Mounted {
        blocks: u128,
        inodes: u128,
        uid: u128,
    },
}

/// Mounts a tmpfs with each option in a child's own mount namespace (and user
/// namespace, without root, where only the caller's uid, as 0, is mapped).
fn kernel(options: &[String]) -> Vec<Kernel> {
    let root = rustix::process::geteuid().is_root();
    let mut unshare = Command::new("unshare");
    if !root {
        unshare.args(["--user", "--map-root-user"]);
    }
    let script = r#"
        dir=$(mktemp -d)
        while IFS= read -r option; do
            if mount -t tmpfs -o "$option" mountns-numbers "$dir" 2>/dev/null; then
                echo "$(stat -f -c '%S %b %c' "$dir") $(stat -c %u "$dir")"
                umount "$dir"
            else
                echo refused
            fi
        done
    "#;
    let mut child = unshare
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for option in options {
        writeln!(stdin, "{option}").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<Kernel> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            if line == "refused" {
                return Kernel::Refused;
            }
            let fields: Vec<u128> = line.split(' ').map(|f| f.parse().unwrap()).collect();
            assert_eq!(
                fields[0], 4096,
                "{line}: a page size this test does not know"
            );
            Kernel::Mounted {
                blocks: fields[1],
                inodes: fields[2],
                uid: fields[3],
            }
        })
        .collect();
    assert_eq!(lines.len(), options.len());
    lines
}

/// What a person reads in a number: decimal (leading zeros and all) or hex after `0x`,
/// times 1024 for each step of its suffix, in 128 bits; `None` if it is no number.
fn meant(text: &str) -> Option<u128> {
    let text = text.strip_prefix('+').unwrap_or(text);
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => read(hex, 16),
        None => read(text, 10),
    }
}

/// Digits of `radix`, times 1024 for each step of the suffix that follows them (the
/// kernel's reading of a number with a leading 0 is `read(text, 8)`).
fn read(text: &str, radix: u32) -> Option<u128> {
    let end = text
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(end);
    let value = u128::from_str_radix(digits, radix).ok()?;
    let steps = match suffix.to_ascii_lowercase().as_str() {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        "e" => 6,
        _ => return None,
    };
    value.checked_mul(1 << (10 * steps))
}

/// The machine's memory in pages, as tmpfs counts a percentage of it.
fn memory_pages() -> u128 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kib: u128 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .unwrap();
    kib / 4
}

/// The blocks of a tmpfs of `bytes`, as it rounds them up to pages.
fn pages(bytes: u128) -> u128 {
    bytes.div_ceil(4096)
}

/// Texts of numbers: prefixes, digits, suffixes, and the limits on either side.
fn numbers() -> Vec<String> {
    let mut texts = Vec::new();
    for prefix in ["", "+", "0", "00", "0x", "0X"] {
        for digits in ["", "0", "7", "8", "10", "1e", "ff"] {
            for suffix in ["", "k", "M", "t", "e", "E", "kk", "b", "%", "k%"] {
                texts.push(format!("{prefix}{digits}{suffix}"));
            }
        }
    }
    let limits = [
        u128::from(u64::MAX),
        u128::from(tmpfs::MAX_SIZE),
        u128::from(tmpfs::MAX_BLOCKS),
        u128::from(tmpfs::MAX_INODES),
        u128::from(tmpfs::MAX_ID),
        u128::from(u64::MAX) - 4095,
    ];
    for limit in limits {
        for value in [limit - 1, limit, limit + 1] {
            texts.push(value.to_string());
        }
    }
    texts.extend(
        [
            "18014398509481985k",
            "18014398509481983k",
            "16E",
            "15E",
            "16383p",
            "16384p",
            "4096%",
            "4097%",
            "100000000000000000%",
            "+1",
            "-1",
            " 1",
            "1.5M",
        ]
        .map(String::from),
    );
    texts
}

/// The macro's reading of `value` for `key` against the kernel's `got`: what is wrong,
/// if anything.
fn compare(key: &str, value: &str, got: &Kernel) -> Option<String> {
    let reading = match key {
        "size" => tmpfs::size(value).map(|size| match size {
            Size::Bytes(bytes) => pages(u128::from(bytes)),
            Size::Percent(percent) => pages(u128::from(percent) * 4096 * memory_pages() / 100),
        }),
        "nr_blocks" => tmpfs::blocks(value).map(u128::from),
        "nr_inodes" => tmpfs::inodes(value).map(u128::from),
        "uid" => tmpfs::id(value).map(u128::from),
        _ => tmpfs::quota(value).map(u128::from),
    };
    // As the kernel counts: pages of bytes or of a percentage of memory.
    let counted = |number: u128| match value.strip_suffix('%') {
        Some(_) => pages(number * 4096 * memory_pages() / 100),
        None if key == "size" => pages(number),
        None => number,
    };
    let number = value.strip_suffix('%').unwrap_or(value);
    let person = meant(number).map(counted);
    let seen = match (key, got) {
        (_, Kernel::Refused) => None,
        ("size" | "nr_blocks", Kernel::Mounted { blocks, .. }) => Some(*blocks),
        ("nr_inodes", Kernel::Mounted { inodes, .. }) => Some(*inodes),
        ("uid", Kernel::Mounted { uid, .. }) => Some(*uid),
        // A quota limit cannot be read back: accepted is all there is to see.
        (_, Kernel::Mounted { .. }) => Some(0),
    };
    match (reading, seen) {
        (Ok(_), None) => Some("accepted at compile time, refused by the kernel".into()),
        (Ok(expected), Some(_)) if key.contains("quota") => {
            (meant(value) != Some(expected)).then(|| format!("the macro read {expected}"))
        }
        // Accepted: the kernel, the macro and a person read one number.
        (Ok(expected), Some(seen)) => (seen != expected || person != Some(expected))
            .then(|| format!("the kernel read {seen}, the macro {expected}, a person {person:?}")),
        (Err(_), None) => None,
        // The kernel took it: the macro refuses only what the kernel reads as another
        // number than the text says, and what is past a limit the macro states.
        (Err(problem), Some(seen)) => {
            match problem {
                Problem::Octal => {
                    let octal = read(number, 8);
                    (Some(seen) != octal.map(counted) || octal == meant(number))
                        .then(|| format!("refused as octal, but the kernel read {seen}"))
                }
                Problem::TooLarge(u64::MAX) | Problem::Malformed | Problem::Zero => {
                    (Some(seen) == person && !value.ends_with('%')).then(|| {
                        format!("refused as {problem:?}, but the kernel read what it says, {seen}")
                    })
                }
                // Past a limit the macro states.
                Problem::TooLarge(_) => None,
            }
        }
    }
}

#[test]
fn the_macro_reads_tmpfs_numbers_as_the_kernel_does() {
    let root = rustix::process::geteuid().is_root();
    let mut keys = vec!["size", "nr_blocks", "nr_inodes"];
    if root {
        // Without root only uid 0 (the caller) is mapped.
        keys.push("uid");
        if kernel(&["usrquota".to_owned()]) == [Kernel::Refused] {
            skipped("the quota limits", "this kernel has no tmpfs quotas");
        } else {
            keys.extend(["usrquota_block_hardlimit", "grpquota_inode_hardlimit"]);
        }
    } else {
        skipped(
            "uid= and the quota limits",
            "without root only the caller's uid is mapped, and a user namespace has no quotas",
        );
    }
    let mut options = Vec::new();
    for key in &keys {
        for value in numbers() {
            let quota = match *key {
                key if key.starts_with("usr") => "usrquota,",
                key if key.starts_with("grp") => "grpquota,",
                _ => "",
            };
            options.push((*key, value.clone(), format!("{quota}{key}={value}")));
        }
    }
    let answers = kernel(
        &options
            .iter()
            .map(|(_, _, o)| o.clone())
            .collect::<Vec<_>>(),
    );
    let mut accepted = 0;
    let mut wrong = Vec::new();
    for ((key, value, option), got) in options.iter().zip(&answers) {
        if let Some(why) = compare(key, value, got) {
            wrong.push(format!("{option}: {why}"));
        }
        accepted += usize::from(*got != Kernel::Refused);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The comparison saw both sides.
    assert!(accepted > 100 && accepted < options.len(), "{accepted}");
}

/// Says on the terminal (not in the captured output) that part of the test is skipped.
fn skipped(what: &str, why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "the_macro_reads_tmpfs_numbers_as_the_kernel_does: skipping {what}: {why}"
    );
}

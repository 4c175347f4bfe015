//! Checks on single values: paths, flags, tmpfs options, links, host names and the
//! namespaces of `unshare`. Pure functions on plain data; each error is a message for
//! the literal that holds the value.

use mountns_paths::words::{FLAGS, UNSHARE};
use mountns_paths::{Problem, tmpfs};

use crate::model::{MadeKind, Param};

/// The flag words of a `bind` statement: all but `rw`, which only `file` takes.
const BIND_FLAGS: &[(&str, &str)] = FLAGS.split_at(3).0;

/// The longest host name the kernel takes (`HOST_NAME_MAX`).
pub const HOSTNAME_MAX: usize = 64;

/// A target, normalized: no trailing slash (but `/` itself), and whether it names a
/// directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    pub dir: bool,
}

/// Checks a target as written (`"/etc/"`) and normalizes it.
pub fn target(value: &str) -> Result<Target, String> {
    let path = check_path("target", value)?;
    Ok(Target {
        path: path.to_owned(),
        dir: value.ends_with('/'),
    })
}

/// Checks the target of a `proc`, `dev`, `dir`, `symlink` or `file` statement: a
/// directory for the first three, a file or link for the others, never `/` itself.
pub fn made_target(made: MadeKind, value: &str) -> Result<Target, String> {
    let target = target(value)?;
    let keyword = made.keyword();
    if target.path == "/" {
        return Err(format!(
            "`{keyword}` cannot make the new root itself; name a path under it"
        ));
    }
    let wants_dir = matches!(made, MadeKind::Proc | MadeKind::Dev | MadeKind::Dir);
    match (wants_dir, target.dir) {
        (true, false) => Err(format!(
            "`{keyword}` makes a directory; end the target with `/`: \"{value}/\""
        )),
        (false, true) => Err(format!(
            "`{keyword}` makes a {}, not a directory; drop the trailing `/`: \"{}\"",
            if made == MadeKind::File {
                "file"
            } else {
                "link"
            },
            target.path
        )),
        _ => Ok(target),
    }
}

/// Checks a link's text: any path the kernel takes, relative or absolute.
pub fn link_text(text: &str) -> Result<(), String> {
    if text.is_empty() {
        Err("empty link text; write where the link points, such as \"usr/lib\"".into())
    } else if text.contains('\0') {
        Err(format!("link text {text:?} contains a NUL byte"))
    } else if text.len() > mountns_paths::MAX_LEN {
        Err(format!(
            "link text is {} bytes long, over the kernel's limit of {} (PATH_MAX)",
            text.len(),
            mountns_paths::MAX_LEN
        ))
    } else {
        Ok(())
    }
}

/// Checks a host name: 1 to 64 letters, digits, `-` and `.`.
pub fn hostname(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty host name; write one such as \"box\"".into());
    }
    if name.len() > HOSTNAME_MAX {
        return Err(format!(
            "host name is {} bytes long, over the kernel's limit of {HOSTNAME_MAX}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "host name {name:?} contains {bad:?}; use letters, digits, `-` and `.`"
        ));
    }
    Ok(())
}

/// The bits of the words of `unshare [..]`, or a message and the index of the word at
/// fault (`None`: the list itself).
pub fn unshare(words: &[String]) -> Result<u32, (Option<usize>, String)> {
    if words.is_empty() {
        return Err((
            None,
            format!(
                "empty list; name the namespaces to make: {}",
                either(UNSHARE)
            ),
        ));
    }
    let mut bits = 0;
    for (index, word) in words.iter().enumerate() {
        let bit = match UNSHARE.iter().position(|(name, _)| name == word) {
            Some(position) => 1 << position,
            None if matches!(word.as_str(), "user" | "mount" | "mnt") => {
                return Err((
                    Some(index),
                    format!(
                        "`{word}` is made automatically (a mount namespace always, a user namespace when unprivileged); remove it"
                    ),
                ));
            }
            None => {
                return Err((
                    Some(index),
                    format!("unknown namespace `{word}`; expected {}", either(UNSHARE)),
                ));
            }
        };
        if bits & bit != 0 {
            return Err((Some(index), format!("`{word}` is given twice; keep one")));
        }
        bits |= bit;
    }
    Ok(bits)
}

/// What a limit's value counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Descriptors or processes: a number.
    Count,
    /// Bytes: a number, or a string with a binary suffix (`"2G"`).
    Bytes,
    /// Seconds: a number.
    Seconds,
}

/// The words of `limit [..]`, each with the `mountns::Resource` variant the emitted
/// table names it by and what its value counts. Within the macro, a resource is its
/// position here.
pub const LIMITS: &[(&str, &str, Unit)] = &[
    ("nofile", "Nofile", Unit::Count),
    ("nproc", "Nproc", Unit::Count),
    ("as", "As", Unit::Bytes),
    ("cpu", "Cpu", Unit::Seconds),
    ("fsize", "Fsize", Unit::Bytes),
    ("core", "Core", Unit::Bytes),
];

/// The position in [`LIMITS`] of a limit's word, or a message listing the words.
pub fn limit(word: &str) -> Result<usize, String> {
    LIMITS
        .iter()
        .position(|(name, ..)| *name == word)
        .ok_or_else(|| {
            let words: Vec<(&str, &str)> = LIMITS.iter().map(|(name, ..)| (*name, "")).collect();
            format!("unknown limit `{word}`; expected {}", either(&words))
        })
}

/// A limit's value as written: the digits of a number, or the text of a string.
pub enum Written<'a> {
    Number(&'a str),
    Text(&'a str),
}

/// The value of the `index`th limit of [`LIMITS`]: a number, or for bytes also a
/// string of decimal digits with an optional suffix `K`, `M`, `G` or `T` (powers of
/// 1024, either case). A value that means no limit (`RLIM_INFINITY`) is refused.
pub fn limit_value(index: usize, written: &Written) -> Result<u64, String> {
    let (word, _, unit) = LIMITS[index];
    let value = match (written, unit) {
        (Written::Number(digits), _) => digits.parse::<u64>().ok(),
        (Written::Text(text), Unit::Bytes) => {
            let value = bytes(text);
            if value == Err(Malformed) {
                return Err(format!(
                    "malformed size {text:?} for `{word}`; write a number of bytes, or digits \
                     with a suffix K, M, G or T (powers of 1024), such as `{word}(\"100M\")`"
                ));
            }
            value.ok().flatten()
        }
        (Written::Text(_), Unit::Count) => {
            return Err(format!(
                "`{word}` is a count, not a size; write a number, such as `{word}(1024)`"
            ));
        }
        (Written::Text(_), Unit::Seconds) => {
            return Err(format!(
                "`{word}` is in seconds; write a number, such as `{word}(60)`"
            ));
        }
    };
    match value {
        Some(value) if value < u64::MAX => Ok(value),
        _ => Err(format!(
            "the limit of `{word}` is too large: it must be below {} (which means no limit at \
             all); remove it or give a smaller value",
            u64::MAX
        )),
    }
}

/// A size that does not follow the grammar.
#[derive(Debug, PartialEq, Eq)]
struct Malformed;

/// `"100M"`: digits and an optional binary suffix, in bytes; `Ok(None)` if over `u64`.
fn bytes(text: &str) -> Result<Option<u64>, Malformed> {
    let (digits, shift) = match text.as_bytes().last() {
        Some(b'k' | b'K') => (&text[..text.len() - 1], 10),
        Some(b'm' | b'M') => (&text[..text.len() - 1], 20),
        Some(b'g' | b'G') => (&text[..text.len() - 1], 30),
        Some(b't' | b'T') => (&text[..text.len() - 1], 40),
        _ => (text, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Malformed);
    }
    Ok(digits
        .parse::<u64>()
        .ok()
        .and_then(|value| value.checked_mul(1 << shift)))
}

/// The longest time limit: a year, in seconds. Longer is surely a mistake.
pub const TIMEOUT_MAX: u64 = 365 * 24 * 60 * 60;

/// The seconds of `timeout(N)`, from its digits: 1 to a year.
pub fn timeout(digits: &str) -> Result<u32, String> {
    match digits.parse::<u64>() {
        Ok(0) => Err(
            "a time limit of 0 seconds would end the program before it starts; give at least 1"
                .into(),
        ),
        Ok(seconds @ 1..=TIMEOUT_MAX) => Ok(u32::try_from(seconds).unwrap_or(u32::MAX)),
        _ => Err(format!(
            "time limit over a year ({TIMEOUT_MAX} seconds); give the seconds the program may run, such as `timeout(30)`"
        )),
    }
}

/// A TCP port of `connect [..]` (`connect`: 1 to 65535) or `bind_ports [..]` (also 0,
/// a port the kernel picks), from its digits.
pub fn port(digits: &str, connect: bool) -> Result<u16, String> {
    match digits.parse::<u16>() {
        Ok(0) if connect => {
            Err("port 0 cannot be connected to; write the ports the program connects to".into())
        }
        Ok(port) => Ok(port),
        Err(_) => Err(format!("port {digits} is over 65535, the largest TCP port")),
    }
}

/// The words of `table`, quoted, as a choice: "`a`, `b` or `c`".
fn either(table: &[(&str, &str)]) -> String {
    let words: Vec<String> = table.iter().map(|(word, _)| format!("`{word}`")).collect();
    match words.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Checks a host source path as written and normalizes it (no trailing slash).
pub fn source(value: &str) -> Result<String, String> {
    Ok(check_path("source", value)?.to_owned())
}

/// The shared path rules' verdict on a path: its normalized form, or a message for
/// the literal.
fn check_path<'a>(what: &str, value: &'a str) -> Result<&'a str, String> {
    let problem = match mountns_paths::check(value.as_bytes()) {
        // Only trailing slashes are cut, so `len` falls on a character boundary.
        Ok(len) => return Ok(&value[..len]),
        Err(problem) => problem,
    };
    Err(match problem {
        Problem::Empty => format!("empty {what}; write an absolute path such as \"/usr/\""),
        Problem::Nul => format!("{what} {value:?} contains a NUL byte"),
        Problem::Relative => format!("{what} {value:?} is not absolute; write \"/{value}\""),
        Problem::TooLong => format!(
            "{what} is {} bytes long, over the kernel's limit of {} (PATH_MAX)",
            value.len(),
            mountns_paths::MAX_LEN
        ),
        Problem::EmptyComponent => {
            format!("{what} {value:?} has an empty component (`//`); write single slashes")
        }
        Problem::Dot | Problem::DotDot => {
            let component = if problem == Problem::Dot { "." } else { ".." };
            format!(
                "{what} {value:?} contains `{component}`; write the path without `.` and `..` components"
            )
        }
    })
}

/// The bits of a flag word of a `bind`, or a message listing the words there are.
pub fn flag(word: &str) -> Result<u32, String> {
    if word == "rw" {
        return Err("a bind is writable unless `ro`; drop `rw`".into());
    }
    BIND_FLAGS
        .iter()
        .position(|(name, _)| *name == word)
        .map(|position| 1 << position)
        .ok_or_else(|| {
            format!(
                "unknown flag `{word}`; expected {} before the first target",
                either(BIND_FLAGS)
            )
        })
}

/// The bits of a mode as written in `mode(..)` (`raw`, the literal's text: octal
/// digits, or `0o` and octal digits) for what `made` makes, or a message that says how
/// to write it. A file's mode is its permission bits; a directory's may add set-group-id
/// (its group passes to what is made in it) and sticky (`1777`).
pub fn mode(raw: &str, suffix: &str, made: MadeKind) -> Result<u32, String> {
    let keyword = made.keyword();
    if !matches!(made, MadeKind::Dir | MadeKind::File) {
        return Err(format!(
            "`mode(..)` does not apply to `{keyword}`; only `dir` and `file` take one"
        ));
    }
    let body = raw.strip_suffix(suffix).unwrap_or(raw);
    if !suffix.is_empty() {
        return Err(format!(
            "a mode takes no type suffix; write `mode({})`",
            body.trim_start_matches("0o")
        ));
    }
    let digits: String = body
        .strip_prefix("0o")
        .unwrap_or(body)
        .chars()
        .filter(|c| *c != '_')
        .collect();
    let radix = match body.get(..2) {
        Some("0x" | "0X") => Some(16),
        Some("0b" | "0B") => Some(2),
        _ => None,
    };
    if let Some(radix) = radix {
        let value = u32::from_str_radix(&digits[2..], radix).unwrap_or(0);
        return Err(format!(
            "a mode is written in octal digits; write `mode({value:04o})`"
        ));
    }
    if let Some(bad) = digits.chars().find(|c| !c.is_digit(8)) {
        return Err(format!(
            "`{bad}` is not an octal digit: a mode is written in octal, such as `mode(0644)` or `mode(1777)`"
        ));
    }
    let value = match u32::from_str_radix(&digits, 8) {
        Ok(value) if value <= 0o7777 => value,
        _ => {
            return Err(format!(
                "mode {digits} is over 7777: a mode has four octal digits at most (special bits, owner, group, others)"
            ));
        }
    };
    match made {
        MadeKind::File if value & 0o7000 != 0 => Err(format!(
            "a file's mode is its permission bits, 0 to 0777: every mount is nosuid, so the set-id bits would do nothing; write `mode({:04o})`",
            value & 0o777
        )),
        MadeKind::Dir if value & 0o4000 != 0 => Err(format!(
            "set-user-id means nothing on a directory; write `mode({:04o})`",
            value & 0o3777
        )),
        _ => Ok(value),
    }
}

/// Checks the value of one option: what is wrong with it, the end of a message that
/// starts with the option (`is malformed: ...`).
type Check = fn(&str) -> Result<(), String>;

/// The options tmpfs(5) takes, each with a check of its value (`None`: a lone word).
const TMPFS_OPTIONS: &[(&str, Option<Check>)] = &[
    ("size", Some(size)),
    (
        "nr_blocks",
        Some(|value| number(tmpfs::blocks(value), value, "blocks")),
    ),
    (
        "nr_inodes",
        Some(|value| number(tmpfs::inodes(value), value, "inodes")),
    ),
    ("mode", Some(tmpfs_mode)),
    (
        "uid",
        Some(|value| number(tmpfs::id(value), value, "the id")),
    ),
    (
        "gid",
        Some(|value| number(tmpfs::id(value), value, "the id")),
    ),
    ("huge", Some(huge)),
    ("mpol", Some(mpol)),
    ("noswap", None),
    ("inode32", None),
    ("inode64", None),
    // Quotas (kernel 6.6).
    ("quota", None),
    ("usrquota", None),
    ("grpquota", None),
    ("usrquota_block_hardlimit", Some(quota)),
    ("usrquota_inode_hardlimit", Some(quota)),
    ("grpquota_block_hardlimit", Some(quota)),
    ("grpquota_inode_hardlimit", Some(quota)),
];

const TMPFS_HINT: &str = "size=10M, size=50%, nr_blocks=N, nr_inodes=N, mode=1777, uid=N, gid=N, huge=never, mpol=..., noswap, inode64, quota, usrquota, grpquota, usrquota_block_hardlimit=N and the other quota limits";

/// Checks tmpfs options (`size=10M,mode=1777`) and splits them; every problem is
/// reported, one message each.
pub fn tmpfs_options(options: &str) -> Result<Vec<Param>, Vec<String>> {
    let mut params: Vec<Param> = Vec::new();
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    if options.is_empty() {
        return Ok(params);
    }
    for option in options.split(',') {
        let (key, value) = match option.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (option, None),
        };
        let Some((_, check)) = TMPFS_OPTIONS.iter().find(|(name, _)| *name == key) else {
            let message = if key.is_empty() {
                format!("empty tmpfs option in {options:?}; separate options with single commas")
            } else {
                format!("unknown tmpfs option `{key}`; tmpfs takes {TMPFS_HINT}")
            };
            // `a,,b,` has two empty options: one message.
            if !errors.contains(&message) {
                errors.push(message);
            }
            continue;
        };
        let problem = match (check, value) {
            (Some(_), None) => Some(format!(
                "tmpfs option `{key}` needs a value, such as `{key}={}`",
                example(key)
            )),
            (None, Some(_)) => Some(format!(
                "tmpfs option `{key}` takes no value; write `{key}`"
            )),
            (Some(check), Some(value)) => check(value)
                .err()
                .map(|why| format!("tmpfs option `{key}={value}` {why}")),
            (None, None) => None,
        };
        if seen.contains(&key) {
            errors.push(format!("tmpfs option `{key}` is given twice; keep one"));
            continue;
        }
        seen.push(key);
        if let Some(problem) = problem {
            errors.push(problem);
        } else {
            params.push((key.to_owned(), value.map(str::to_owned)));
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "size" => "10M",
        "mode" => "1777",
        "huge" => "never",
        "mpol" => "default",
        _ => "1000",
    }
}

/// Why the kernel's reading of `value`, a number of `what`, is refused: the end of a
/// message that starts with the option.
fn number(read: Result<u64, tmpfs::Problem>, value: &str, what: &str) -> Result<(), String> {
    let Err(problem) = read else { return Ok(()) };
    Err(match problem {
        tmpfs::Problem::Malformed => format!(
            "is malformed: write a number of {what}, decimal or 0x and hex digits, with at most one of the suffixes k, m, g, t, p, e"
        ),
        tmpfs::Problem::Octal => octal(value),
        tmpfs::Problem::TooLarge(u64::MAX) => {
            "is over 2^64 - 1, where the kernel's arithmetic wraps around to a small number; write a smaller one".into()
        }
        tmpfs::Problem::TooLarge(max) => format!("is over {max}, the most the kernel takes"),
        tmpfs::Problem::Zero => {
            "is refused by the kernel: a limit is at least 1; write one, or drop the option"
                .into()
        }
    })
}

/// What the kernel makes of `value` with a leading zero: octal digits, or none.
fn octal(value: &str) -> String {
    let digits = value
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    let rest = &value[digits.len()..];
    let plain = digits.trim_start_matches('0');
    match u64::from_str_radix(digits, 8) {
        Ok(read) => format!(
            "is {read}{rest} to the kernel, which reads a number with a leading 0 as octal; write {plain}{rest} without the 0 (or in hex, 0x...)"
        ),
        Err(_) => format!(
            "is refused by the kernel, which reads a number with a leading 0 as octal (digits 0 to 7); write {plain}{rest} without the 0"
        ),
    }
}

/// `size=`: bytes, or a percentage of memory.
fn size(value: &str) -> Result<(), String> {
    let percent = value.ends_with('%');
    match tmpfs::size(value) {
        Ok(_) => Ok(()),
        Err(tmpfs::Problem::TooLarge(tmpfs::MAX_SIZE)) if !percent => Err(format!(
            "is over {}, past which the kernel's rounding to pages wraps around to no limit",
            tmpfs::MAX_SIZE
        )),
        Err(tmpfs::Problem::TooLarge(tmpfs::MAX_PERCENT)) if percent => Err(format!(
            "is over {}%, past which the kernel's arithmetic can wrap around on a large machine",
            tmpfs::MAX_PERCENT
        )),
        Err(problem) if percent => number(Err(problem), value, "percent (no suffix)"),
        Err(problem) => number(Err(problem), value, "bytes"),
    }
}

/// A quota hard limit.
fn quota(value: &str) -> Result<(), String> {
    number(tmpfs::quota(value), value, "bytes or inodes")
}

/// `mode=`: octal (the kernel reads it in base 8), at most 7777.
fn tmpfs_mode(value: &str) -> Result<(), String> {
    let octal = !value.is_empty()
        && value.len() <= 5
        && value.bytes().all(|b| (b'0'..=b'7').contains(&b))
        && u32::from_str_radix(value, 8).is_ok_and(|mode| mode <= 0o7777);
    if octal {
        Ok(())
    } else {
        Err(
            "is malformed: write the permission bits in octal, at most 7777, such as `mode=1777`"
                .into(),
        )
    }
}

fn huge(value: &str) -> Result<(), String> {
    if matches!(
        value,
        "never" | "always" | "within_size" | "advise" | "deny" | "force"
    ) {
        Ok(())
    } else {
        Err("is malformed: write never, always, within_size, advise, deny or force".into())
    }
}

fn mpol(value: &str) -> Result<(), String> {
    let policy = value.split(':').next().unwrap_or_default();
    let policy = policy.split('=').next().unwrap_or_default();
    if matches!(
        policy,
        "default" | "prefer" | "bind" | "interleave" | "local"
    ) {
        Ok(())
    } else {
        Err(
            "is malformed: write default, prefer:NODE, bind:NODES, interleave:NODES or local"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DEV, READ_ONLY, UNSHARE_PID, UNSHARE_UTS};

    #[test]
    fn targets_are_normalized() {
        assert_eq!(
            target("/etc/").unwrap(),
            Target {
                path: "/etc".into(),
                dir: true
            }
        );
        assert_eq!(
            target("/etc/passwd").unwrap(),
            Target {
                path: "/etc/passwd".into(),
                dir: false
            }
        );
    }

    #[test]
    fn bad_paths_are_refused_with_what_is_wrong() {
        let long = format!("/{}", "a".repeat(4095));
        for (bad, message) in [
            ("", "empty target; write an absolute path such as \"/usr/\""),
            ("etc/", "target \"etc/\" is not absolute; write \"/etc/\""),
            (
                "/a//b",
                "target \"/a//b\" has an empty component (`//`); write single slashes",
            ),
            (
                "/a/../b",
                "target \"/a/../b\" contains `..`; write the path",
            ),
            ("/a/./b", "target \"/a/./b\" contains `.`; write the path"),
            ("/..", "target \"/..\" contains `..`;"),
            ("/a\0b", "target \"/a\\0b\" contains a NUL byte"),
            (
                &long,
                "target is 4096 bytes long, over the kernel's limit of 4095 (PATH_MAX)",
            ),
        ] {
            let error = target(bad).unwrap_err();
            assert!(error.starts_with(message), "{bad:?}: {error}");
        }
        assert_eq!(
            source("srv").unwrap_err(),
            "source \"srv\" is not absolute; write \"/srv\""
        );
        assert_eq!(source("/").unwrap(), "/");
        assert_eq!(source("/srv/a/").unwrap(), "/srv/a");
    }

    #[test]
    fn tmpfs_options_are_checked() {
        for good in [
            "",
            "size=10M",
            "size=50%",
            "size=0",
            "size=0x100000",
            "mode=1777",
            "nr_inodes=1k",
            "size=1g,mode=755,uid=0,gid=0",
            "noswap",
            "huge=within_size",
            "usrquota,grpquota,usrquota_block_hardlimit=10M,grpquota_inode_hardlimit=1000",
            "quota",
        ] {
            assert!(tmpfs_options(good).is_ok(), "{good:?}");
        }
        assert_eq!(
            tmpfs_options("size=1g,noswap").unwrap(),
            [("size".into(), Some("1g".into())), ("noswap".into(), None)]
        );
        for (bad, message) in [
            (
                "size=ten",
                "tmpfs option `size=ten` is malformed: write a number of bytes",
            ),
            ("size=", "tmpfs option `size=` is malformed"),
            (
                "size",
                "tmpfs option `size` needs a value, such as `size=10M`",
            ),
            ("mode=8", "tmpfs option `mode=8` is malformed"),
            ("mode=77777", "tmpfs option `mode=77777` is malformed"),
            (
                "colour=red",
                "unknown tmpfs option `colour`; tmpfs takes size=10M",
            ),
            (
                "noswap=1",
                "tmpfs option `noswap` takes no value; write `noswap`",
            ),
            (
                "size=1M,size=2M",
                "tmpfs option `size` is given twice; keep one",
            ),
            (",", "empty tmpfs option in \",\""),
            ("size=10MM", "tmpfs option `size=10MM` is malformed"),
            (
                "size=010M",
                "tmpfs option `size=010M` is 8M to the kernel, which reads a number with a \
                 leading 0 as octal; write 10M without the 0 (or in hex, 0x...)",
            ),
            (
                "size=09M",
                "tmpfs option `size=09M` is refused by the kernel, which reads a number with a \
                 leading 0 as octal (digits 0 to 7); write 9M without the 0",
            ),
            (
                "size=18014398509481985k",
                "tmpfs option `size=18014398509481985k` is over 2^64 - 1, where the kernel's \
                 arithmetic wraps around to a small number; write a smaller one",
            ),
            (
                "size=18446744073709551615",
                "tmpfs option `size=18446744073709551615` is over 18446744073709486080, past \
                 which the kernel's rounding to pages wraps around to no limit",
            ),
            ("size=5000%", "is over 4096%"),
            ("size=1k%", "write a number of percent (no suffix)"),
            (
                "nr_blocks=8E",
                "is over 9223372036854775807, the most the kernel takes",
            ),
            ("nr_inodes=010", "is 8 to the kernel"),
            ("uid=010", "is 8 to the kernel"),
            ("gid=4294967295", "is over 4294967294"),
            (
                "usrquota_block_hardlimit=0",
                "is refused by the kernel: a limit is at least 1",
            ),
        ] {
            let errors = tmpfs_options(bad).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad:?}: {errors:?}");
            assert!(
                errors[0].starts_with(message) || errors[0].contains(message),
                "{bad:?}: {errors:?}"
            );
        }
    }

    #[test]
    fn every_problem_of_tmpfs_options_is_reported() {
        let errors = tmpfs_options("size=10Q,mode=999,colour=red,size=1M").unwrap_err();
        assert_eq!(
            errors,
            [
                "tmpfs option `size=10Q` is malformed: write a number of bytes, decimal or 0x \
                 and hex digits, with at most one of the suffixes k, m, g, t, p, e",
                "tmpfs option `mode=999` is malformed: write the permission bits in octal, at \
                 most 7777, such as `mode=1777`",
                "unknown tmpfs option `colour`; tmpfs takes size=10M, size=50%, nr_blocks=N, \
                 nr_inodes=N, mode=1777, uid=N, gid=N, huge=never, mpol=..., noswap, inode64, \
                 quota, usrquota, grpquota, usrquota_block_hardlimit=N and the other quota limits",
                "tmpfs option `size` is given twice; keep one",
            ]
        );
    }

    #[test]
    fn flags_are_known_words() {
        assert_eq!(flag("ro"), Ok(READ_ONLY));
        assert_eq!(flag("dev"), Ok(DEV));
        assert!(flag("noexec").is_ok());
        assert!(flag("rw").unwrap_err().contains("drop `rw`"));
        assert!(
            flag("rx")
                .unwrap_err()
                .ends_with("`ro`, `dev` or `noexec` before the first target")
        );
    }

    #[test]
    fn modes_are_octal_and_fit_what_they_are_on() {
        for (raw, made, value) in [
            ("1777", MadeKind::Dir, 0o1777),
            ("0640", MadeKind::File, 0o640),
            ("0o755", MadeKind::Dir, 0o755),
            ("0", MadeKind::File, 0),
            ("2775", MadeKind::Dir, 0o2775),
            ("0_644", MadeKind::File, 0o644),
        ] {
            assert_eq!(mode(raw, "", made), Ok(value), "{raw}");
        }
        for (raw, suffix, made, message) in [
            ("0648", "", MadeKind::File, "`8` is not an octal digit"),
            ("17777", "", MadeKind::Dir, "mode 17777 is over 7777"),
            ("0x1ff", "", MadeKind::Dir, "write `mode(0777)`"),
            (
                "644u32",
                "u32",
                MadeKind::File,
                "no type suffix; write `mode(644)`",
            ),
            ("4755", "", MadeKind::File, "write `mode(0755)`"),
            ("1777", "", MadeKind::File, "write `mode(0777)`"),
            (
                "4755",
                "",
                MadeKind::Dir,
                "set-user-id means nothing on a directory; write `mode(0755)`",
            ),
            ("0755", "", MadeKind::Symlink, "does not apply to `symlink`"),
            ("0755", "", MadeKind::Proc, "does not apply to `proc`"),
        ] {
            let error = mode(raw, suffix, made).unwrap_err();
            assert!(error.contains(message), "{raw}: {error}");
        }
    }

    #[test]
    fn made_targets_have_the_kind_of_path_their_statement_makes() {
        assert_eq!(
            made_target(MadeKind::Proc, "/proc/"),
            Ok(Target {
                path: "/proc".into(),
                dir: true
            })
        );
        assert!(made_target(MadeKind::Symlink, "/lib").is_ok_and(|t| !t.dir));
        for (made, bad, message) in [
            (
                MadeKind::Proc,
                "/proc",
                "end the target with `/`: \"/proc/\"",
            ),
            (MadeKind::Dev, "/", "cannot make the new root itself"),
            (
                MadeKind::File,
                "/etc/hosts/",
                "drop the trailing `/`: \"/etc/hosts\"",
            ),
            (MadeKind::Dir, "var/", "is not absolute"),
        ] {
            let error = made_target(made, bad).unwrap_err();
            assert!(error.contains(message), "{bad:?}: {error}");
        }
    }

    #[test]
    fn link_texts_and_host_names_are_what_the_kernel_takes() {
        assert!(link_text("usr/lib").is_ok() && link_text("/usr/../lib").is_ok());
        assert!(link_text("").is_err() && link_text("a\0b").is_err());
        assert!(link_text(&"a".repeat(4096)).is_err());
        assert!(hostname("box-1.example").is_ok());
        assert!(hostname(&"a".repeat(HOSTNAME_MAX)).is_ok());
        for bad in [
            "",
            "my box",
            "b\u{f6}x",
            "a_b",
            &"a".repeat(HOSTNAME_MAX + 1),
        ] {
            assert!(hostname(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unshare_words_are_bits_and_mistakes_name_the_word() {
        let words =
            |list: &[&str]| unshare(&list.iter().map(|w| (*w).to_string()).collect::<Vec<_>>());
        assert_eq!(words(&["pid", "uts"]), Ok(UNSHARE_PID | UNSHARE_UTS));
        assert_eq!(words(&[]).unwrap_err().0, None);
        assert_eq!(words(&["net", "net"]).unwrap_err().0, Some(1));
        let (at, message) = words(&["net", "mnt"]).unwrap_err();
        assert_eq!(at, Some(1));
        assert!(message.contains("made automatically"), "{message}");
        let (_, message) = words(&["time"]).unwrap_err();
        assert!(
            message.ends_with("`pid`, `net`, `ipc`, `uts` or `cgroup`"),
            "{message}"
        );
    }

    #[test]
    fn limits_take_counts_seconds_and_sizes() {
        let number = |word: &str, digits: &str| limit_value(limit(word)?, &Written::Number(digits));
        let text = |word: &str, text: &str| limit_value(limit(word)?, &Written::Text(text));
        assert_eq!(number("nofile", "1024"), Ok(1024));
        assert_eq!(number("core", "0"), Ok(0));
        assert_eq!(number("as", "2147483648"), Ok(2 << 30));
        assert_eq!(text("as", "2G"), Ok(2 << 30));
        assert_eq!(text("fsize", "100M"), Ok(100 << 20));
        assert_eq!(text("core", "4k"), Ok(4096));
        assert_eq!(text("as", "1t"), Ok(1 << 40));
        assert_eq!(text("as", "512"), Ok(512));
        for bad in ["", "G", "2 G", "2GB", "1.5G", "-1", "0x10", "2g2"] {
            let message = text("as", bad).unwrap_err();
            assert!(message.starts_with("malformed size"), "{bad:?}: {message}");
        }
        assert!(text("as", "99999999T").unwrap_err().contains("too large"));
        assert!(
            number("as", "18446744073709551615")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            number("as", "18446744073709551616")
                .unwrap_err()
                .contains("too large")
        );
        assert!(text("nofile", "1024").unwrap_err().contains("is a count"));
        assert!(text("cpu", "1m").unwrap_err().contains("in seconds"));
        let message = limit("nofiles").unwrap_err();
        assert!(
            message.ends_with("`nofile`, `nproc`, `as`, `cpu`, `fsize` or `core`"),
            "{message}"
        );
    }

    #[test]
    fn ports_and_time_limits_are_checked() {
        assert_eq!(port("443", true), Ok(443));
        assert_eq!(port("65535", true), Ok(65535));
        assert!(port("0", true).is_err());
        assert_eq!(port("0", false), Ok(0));
        assert!(port("65536", false).unwrap_err().contains("over 65535"));
        assert_eq!(timeout("30"), Ok(30));
        assert_eq!(timeout("31536000"), Ok(31_536_000));
        assert!(timeout("0").is_err());
        assert!(timeout("31536001").unwrap_err().contains("over a year"));
        assert!(timeout("99999999999999999999999").is_err());
    }
}

/// The words of `caps [..]` as bits (bit `n` keeps the capability numbered `n`;
/// `all`, every bit), or a message and the index of the word at fault (`None`: the
/// list itself).
pub fn caps(words: &[String]) -> Result<u64, (Option<usize>, String)> {
    use mountns_paths::caps::{ALL, number};
    if words.is_empty() {
        return Err((
            None,
            "empty list; every capability is dropped unless kept, so this keeps none: remove the statement, or name the capabilities to keep, such as `caps [net_bind_service];`".into(),
        ));
    }
    let mut bits = 0u64;
    for (index, word) in words.iter().enumerate() {
        if word == ALL {
            if words.len() > 1 {
                return Err((
                    Some(index),
                    "`all` keeps every capability; drop the other names".into(),
                ));
            }
            return Ok(u64::MAX);
        }
        let Some(number) = number(word) else {
            return Err((Some(index), unknown_capability(word)));
        };
        let bit = 1u64 << number;
        if bits & bit != 0 {
            return Err((Some(index), format!("`{word}` is given twice; keep one")));
        }
        bits |= bit;
    }
    Ok(bits)
}

/// Why `word` names no capability, with the way to write it or a near name.
fn unknown_capability(word: &str) -> String {
    use mountns_paths::caps::{ALL, NAMES, number};
    let lower = word.to_lowercase();
    let bare = lower.strip_prefix("cap_").unwrap_or(&lower);
    if number(bare).is_some() {
        return format!("write the capability as `{bare}`: lower case, without `CAP_`");
    }
    match nearest(bare, NAMES.iter().copied().chain([ALL])) {
        Some(near) => format!("unknown capability `{word}`; did you mean `{near}`?"),
        None => format!(
            "unknown capability `{word}`; expected a name of capabilities(7) without `CAP_`, such as `net_bind_service`, or `all`"
        ),
    }
}

/// A user or group id: 0 to 4294967294 (-1 means "none" to the kernel).
pub fn id(digits: Result<u64, String>, what: &str) -> Result<u32, String> {
    let out_of_range = || format!("a {what} is a number from 0 to 4294967294");
    match digits.map(u32::try_from) {
        Ok(Ok(u32::MAX)) => Err(format!(
            "{}; 4294967295 is -1, which means none to the kernel",
            out_of_range()
        )),
        Ok(Ok(id)) => Ok(id),
        Ok(Err(_)) | Err(_) => Err(out_of_range()),
    }
}

/// The word of `candidates` nearest to `word`, if one is near enough to be a typo:
/// at most a third of its letters off (edits, or two letters swapped).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = word.chars().count().div_ceil(3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (distance(word, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// The optimal string alignment distance: insertions, deletions, substitutions and
/// swaps of two neighbours, each counting one.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod caps_tests {
    use super::{caps, distance, id, nearest};

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn capabilities_are_checked_by_name() {
        assert_eq!(
            caps(&words(&["chown", "net_bind_service"])),
            Ok(1 | 1 << 10)
        );
        assert_eq!(caps(&words(&["all"])), Ok(u64::MAX));
        let error = |list: &[&str]| caps(&words(list)).unwrap_err();
        assert!(error(&[]).1.starts_with("empty list"));
        assert_eq!(error(&["chown", "all"]).0, Some(1));
        assert_eq!(error(&["kill", "kill"]).0, Some(1));
        assert!(
            error(&["sys_admn"])
                .1
                .ends_with("did you mean `sys_admin`?")
        );
        assert!(
            error(&["CAP_SYS_ADMIN"])
                .1
                .contains("`sys_admin`: lower case")
        );
        assert!(error(&["cap_kill"]).1.contains("`kill`"));
        assert!(error(&["everything"]).1.contains("capabilities(7)"));
    }

    #[test]
    fn ids_are_in_range() {
        assert_eq!(id(Ok(0), "user id"), Ok(0));
        assert_eq!(id(Ok(4_294_967_294), "user id"), Ok(u32::MAX - 1));
        assert!(id(Ok(4_294_967_295), "user id").is_err());
        assert!(id(Err("too large".into()), "group id").is_err());
    }

    #[test]
    fn near_words_are_suggested() {
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            nearest("net_raww", ["net_raw", "net_admin"]),
            Some("net_raw")
        );
        assert_eq!(nearest("xyz", ["net_raw", "net_admin"]), None);
    }
}

//! The numbers of tmpfs options, read as the kernel reads them and accepted only where
//! that reading is what the text says to a person: the macro checks `tmpfs("..")`
//! options with it, and the tests compare it with what a real tmpfs gets.
//!
//! The kernel reads `size`, `nr_blocks`, `nr_inodes` and the quota limits with
//! `memparse`: `simple_strtoull(text, 0)` (a leading `0x` is hex, a leading `0` octal,
//! digits past 2^64 wrap), then one suffix `k`, `m`, `g`, `t`, `p` or `e` (either case),
//! each a further shift by 10 bits, which wraps too. `uid` and `gid` are read with base
//! 0 as well. So `010M` is 8 MiB and `18014398509481985k` is 4 KiB: texts this module
//! refuses, with the octal and the wrapping named.

/// Why an option's number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not a number of the option's form.
    Malformed,
    /// A leading `0` before more digits: the kernel reads the digits as octal.
    Octal,
    /// Over the largest value the option takes (the field holds it), or over 2^64 - 1,
    /// where the kernel's arithmetic wraps.
    TooLarge(u64),
    /// Zero where the kernel refuses it (quota limits).
    Zero,
}

/// What a `size=` option says: bytes, or a percentage of the memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Bytes(u64),
    Percent(u64),
}

/// The largest page size of Linux (64 KiB, aarch64): tmpfs rounds `size` up to whole
/// pages with `size + PAGE_SIZE - 1`, which wraps to "unlimited" past
/// 2^64 - `PAGE_SIZE`.
const LARGEST_PAGE: u64 = 1 << 16;

/// The largest `size` in bytes whose rounding to pages does not wrap on any Linux.
pub const MAX_SIZE: u64 = u64::MAX - (LARGEST_PAGE - 1);

/// The largest percentage: the kernel computes `n << PAGE_SHIFT * pages / 100` in 64
/// bits, which does not wrap for `n` up to 4096 on any machine (at most 2^52 bytes of
/// memory on `x86_64` and `aarch64`).
pub const MAX_PERCENT: u64 = 4096;

/// `nr_blocks`: the kernel refuses more than `LONG_MAX`.
pub const MAX_BLOCKS: u64 = i64::MAX as u64;

/// `nr_inodes`: the kernel refuses more than `ULONG_MAX / BOGO_INODE_SIZE` (1024).
pub const MAX_INODES: u64 = u64::MAX / 1024;

/// The quota hard limits: the kernel refuses more than 2^63 - 1, and zero.
pub const MAX_QUOTA: u64 = i64::MAX as u64;

/// The largest `uid` or `gid`: -1 (`u32::MAX`) means none to the kernel.
pub const MAX_ID: u64 = u32::MAX as u64 - 1;

/// A number as `memparse` reads it, when the kernel's reading is the text's plain
/// meaning: decimal digits without a leading zero (or `0` itself), or `0x` and hex
/// digits (a leading zero only where octal and decimal agree, `07`), then at most one binary suffix (`k`, `m`, `g`, `t`, `p`, `e`, either case),
/// with nothing wrapping past 2^64 - 1.
///
/// ```
/// use mountns_paths::tmpfs::{Problem, memparse};
/// assert_eq!(memparse("10M"), Ok(10 << 20));
/// assert_eq!(memparse("0x10k"), Ok(16 << 10));
/// assert_eq!(memparse("010M"), Err(Problem::Octal));
/// assert_eq!(memparse("18014398509481985k"), Err(Problem::TooLarge(u64::MAX)));
/// ```
///
/// # Errors
///
/// The text is not such a number ([`Problem::Malformed`]), has a leading zero
/// ([`Problem::Octal`]) or is over 2^64 - 1 ([`Problem::TooLarge`]).
pub fn memparse(text: &str) -> Result<u64, Problem> {
    // As the kernel: the digits of the radix, as many as there are (a hex `e` is a
    // digit, not the suffix), then the suffix.
    let (radix, rest) = radix(text)?;
    let end = rest
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(rest.len());
    let (digits, suffix) = rest.split_at(end);
    let value = digits_value(digits, radix)?;
    let shift = match suffix.as_bytes() {
        [] => 0,
        [suffix] => match SUFFIXES
            .bytes()
            .position(|s| s == suffix.to_ascii_lowercase())
        {
            Some(position) => 10 * (position + 1),
            None => return Err(Problem::Malformed),
        },
        _ => return Err(Problem::Malformed),
    };
    value
        .checked_mul(1 << shift)
        .ok_or(Problem::TooLarge(u64::MAX))
}

/// The suffixes of `memparse`, each 10 more bits than the one before.
const SUFFIXES: &str = "kmgtpe";

/// The radix `simple_strtoull(text, 0)` reads `text` in, and the text after its
/// prefix: hex after `0x`; decimal otherwise, unless a leading `0` before another digit
/// makes the kernel read octal digits of another value than the decimal ones (`010` is
/// 8; `007` is 7 either way).
fn radix(text: &str) -> Result<(u32, &str), Problem> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return Ok((16, hex));
    }
    if let [b'0', next, ..] = text.as_bytes()
        && next.is_ascii_digit()
    {
        let digits = text
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or_default();
        let significant = digits.trim_start_matches('0');
        if significant.len() > 1 || significant.bytes().any(|digit| digit > b'7') {
            return Err(Problem::Octal);
        }
    }
    Ok((10, text))
}

/// The value of `digits` in `radix`: at least one digit, at most 2^64 - 1.
fn digits_value(digits: &str, radix: u32) -> Result<u64, Problem> {
    if digits.is_empty() {
        return Err(Problem::Malformed);
    }
    u64::from_str_radix(digits, radix).map_err(|_| Problem::TooLarge(u64::MAX))
}

/// An integer as `simple_strtoull(text, 0)` reads it, the whole text, without suffix:
/// decimal without a leading zero, or `0x` and hex digits.
fn integer(text: &str) -> Result<u64, Problem> {
    let (radix, digits) = radix(text)?;
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(Problem::Malformed);
    }
    digits_value(digits, radix)
}

/// Checks `value` against `max`.
fn at_most(value: u64, max: u64) -> Result<u64, Problem> {
    if value > max {
        Err(Problem::TooLarge(max))
    } else {
        Ok(value)
    }
}

/// `size=`: bytes as [`memparse`] reads them, at most [`MAX_SIZE`], or a percentage of
/// memory, `N%` with `N` an integer without suffix, at most [`MAX_PERCENT`].
///
/// # Errors
///
/// As [`memparse`], and [`Problem::TooLarge`] past the limits.
pub fn size(text: &str) -> Result<Size, Problem> {
    match text.strip_suffix('%') {
        Some(percent) => Ok(Size::Percent(at_most(integer(percent)?, MAX_PERCENT)?)),
        None => Ok(Size::Bytes(at_most(memparse(text)?, MAX_SIZE)?)),
    }
}

/// `nr_blocks=`: at most [`MAX_BLOCKS`].
///
/// # Errors
///
/// As [`memparse`], and [`Problem::TooLarge`] past the limit.
pub fn blocks(text: &str) -> Result<u64, Problem> {
    at_most(memparse(text)?, MAX_BLOCKS)
}

/// `nr_inodes=`: at most [`MAX_INODES`].
///
/// # Errors
///
/// As [`memparse`], and [`Problem::TooLarge`] past the limit.
pub fn inodes(text: &str) -> Result<u64, Problem> {
    at_most(memparse(text)?, MAX_INODES)
}

/// A quota hard limit (`usrquota_block_hardlimit=` and the others): 1 to [`MAX_QUOTA`].
///
/// # Errors
///
/// As [`memparse`], [`Problem::Zero`] for 0 and [`Problem::TooLarge`] past the limit.
pub fn quota(text: &str) -> Result<u64, Problem> {
    match memparse(text)? {
        0 => Err(Problem::Zero),
        value => at_most(value, MAX_QUOTA),
    }
}

/// `uid=` or `gid=`: an integer without suffix, with an optional leading `+`, at most
/// [`MAX_ID`].
///
/// # Errors
///
/// As [`memparse`] without a suffix, and [`Problem::TooLarge`] past the limit.
pub fn id(text: &str) -> Result<u64, Problem> {
    // `kstrtouint` takes a leading `+`, which `simple_strtoull` does not.
    let text = text.strip_prefix('+').unwrap_or(text);
    at_most(integer(text)?, MAX_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_written() {
        for (text, value) in [
            ("0", 0),
            ("10", 10),
            ("10k", 10 << 10),
            ("10K", 10 << 10),
            ("1m", 1 << 20),
            ("1G", 1 << 30),
            ("1t", 1 << 40),
            ("1P", 1 << 50),
            ("15e", 15 << 60),
            ("0x10", 16),
            ("0X1f", 31),
            ("0x1e", 30),
            ("0x1eK", 30 << 10),
            ("0x10k", 16 << 10),
            ("0k", 0),
            ("00", 0),
            ("07", 7),
            ("0007M", 7 << 20),
            ("18446744073709551615", u64::MAX),
            ("16383p", 16383 << 50),
        ] {
            assert_eq!(memparse(text), Ok(value), "{text:?}");
        }
    }

    #[test]
    fn what_the_kernel_would_misread_is_refused() {
        for (text, problem) in [
            ("010", Problem::Octal),
            ("011", Problem::Octal),
            ("09M", Problem::Octal),
            ("0010k", Problem::Octal),
            ("0x", Problem::Malformed),
            ("0xg", Problem::Malformed),
            ("", Problem::Malformed),
            ("k", Problem::Malformed),
            ("1kk", Problem::Malformed),
            ("1Kb", Problem::Malformed),
            ("+1", Problem::Malformed),
            ("-1", Problem::Malformed),
            (" 1", Problem::Malformed),
            ("1.5M", Problem::Malformed),
            ("08a", Problem::Octal),
            ("0a", Problem::Malformed),
            ("18446744073709551616", Problem::TooLarge(u64::MAX)),
            ("18014398509481985k", Problem::TooLarge(u64::MAX)),
            ("16e", Problem::TooLarge(u64::MAX)),
            ("16384p", Problem::TooLarge(u64::MAX)),
        ] {
            assert_eq!(memparse(text), Err(problem), "{text:?}");
        }
    }

    #[test]
    fn each_option_has_its_limit() {
        assert_eq!(size("50%"), Ok(Size::Percent(50)));
        assert_eq!(size("4096%"), Ok(Size::Percent(MAX_PERCENT)));
        assert_eq!(size("4097%"), Err(Problem::TooLarge(MAX_PERCENT)));
        assert_eq!(size("010%"), Err(Problem::Octal));
        assert_eq!(size("1k%"), Err(Problem::Malformed));
        assert_eq!(size("%"), Err(Problem::Malformed));
        assert_eq!(size("15E"), Ok(Size::Bytes(15 << 60)));
        assert_eq!(size(&MAX_SIZE.to_string()), Ok(Size::Bytes(MAX_SIZE)));
        let over = (MAX_SIZE + 1).to_string();
        assert_eq!(size(&over), Err(Problem::TooLarge(MAX_SIZE)));
        assert_eq!(blocks("9223372036854775807"), Ok(MAX_BLOCKS));
        assert_eq!(blocks("8E"), Err(Problem::TooLarge(MAX_BLOCKS)));
        assert_eq!(inodes("18014398509481983"), Ok(MAX_INODES));
        assert_eq!(inodes("16P"), Err(Problem::TooLarge(MAX_INODES)));
        assert_eq!(quota("0"), Err(Problem::Zero));
        assert_eq!(quota("7E"), Ok(7 << 60));
        assert_eq!(quota("8E"), Err(Problem::TooLarge(MAX_QUOTA)));
        assert_eq!(id("0"), Ok(0));
        assert_eq!(id("0x10"), Ok(16));
        assert_eq!(id("+1"), Ok(1));
        assert_eq!(id("4294967294"), Ok(MAX_ID));
        assert_eq!(id("4294967295"), Err(Problem::TooLarge(MAX_ID)));
        assert_eq!(id("010"), Err(Problem::Octal));
        assert_eq!(id("1k"), Err(Problem::Malformed));
    }
}

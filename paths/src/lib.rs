//! Implementation detail of `mountns`: the rules of the paths a declaration names,
//! in one `const fn`, the words of its flags and namespaces ([`words`]) and of the
//! capabilities a table keeps ([`caps`]), the numbers of tmpfs options as the kernel
//! reads them ([`tmpfs`]) and the layers overlayfs takes in a union ([`layers`]). The
//! macro checks string literals with it and turns its answer into messages; the
//! `mountns` facade checks constant sources with it while the user's crate compiles,
//! and the runtime names capabilities and a table's flags with it. Depend on
//! `mountns`.

#![cfg_attr(not(test), no_std)]

pub mod caps;
pub mod layers;
pub mod tmpfs;
pub mod words;

/// The longest path the kernel takes, in bytes: `PATH_MAX` less its NUL.
pub const MAX_LEN: usize = 4095;

/// What is wrong with a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Nothing at all.
    Empty,
    /// A NUL byte, which would end the C string early.
    Nul,
    /// It does not start with `/`.
    Relative,
    /// Longer than [`MAX_LEN`].
    TooLong,
    /// Two slashes in a row.
    EmptyComponent,
    /// A `.` component.
    Dot,
    /// A `..` component.
    DotDot,
}

/// Checks an absolute path as written (`"/usr/"`) and returns the length of its
/// normalized form: without trailing slashes, except for `/` itself.
///
/// # Errors
///
/// What is wrong with the path: the checks run in the order of [`Problem`]'s
/// variants, and the first that fails is the answer.
///
/// ```
/// use mountns_paths::{Problem, check};
/// assert_eq!(check(b"/usr/"), Ok(4));
/// assert_eq!(check(b"/"), Ok(1));
/// assert_eq!(check(b"usr"), Err(Problem::Relative));
/// assert_eq!(check(b"/a/../b"), Err(Problem::DotDot));
/// ```
pub const fn check(path: &[u8]) -> Result<usize, Problem> {
    if path.is_empty() {
        return Err(Problem::Empty);
    }
    let mut i = 0;
    while i < path.len() {
        if path[i] == 0 {
            return Err(Problem::Nul);
        }
        i += 1;
    }
    if path[0] != b'/' {
        return Err(Problem::Relative);
    }
    if path.len() > MAX_LEN {
        return Err(Problem::TooLong);
    }
    let mut i = 1;
    while i < path.len() {
        if path[i] == b'/' && path[i - 1] == b'/' {
            return Err(Problem::EmptyComponent);
        }
        i += 1;
    }
    // Without the trailing slash (at most one now), every component follows a `/`.
    let len = if path.len() > 1 && path[path.len() - 1] == b'/' {
        path.len() - 1
    } else {
        path.len()
    };
    let mut start = 1;
    while start < len {
        let mut end = start;
        while end < len && path[end] != b'/' {
            end += 1;
        }
        match end - start {
            1 if path[start] == b'.' => return Err(Problem::Dot),
            2 if path[start] == b'.' && path[start + 1] == b'.' => return Err(Problem::DotDot),
            _ => {}
        }
        start = end + 1;
    }
    Ok(len)
}

/// Whether two byte strings are equal: `==`, which is not `const` on slices.
#[must_use]
pub const fn equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether the normalized path `path` is `parent` or lies under it.
///
/// ```
/// use mountns_paths::under;
/// assert!(under(b"/usr/lib", b"/usr"));
/// assert!(under(b"/usr", b"/usr"));
/// assert!(under(b"/usr", b"/"));
/// assert!(!under(b"/usr2", b"/usr"));
/// ```
#[must_use]
pub const fn under(path: &[u8], parent: &[u8]) -> bool {
    if equal(parent, b"/") {
        return true;
    }
    if path.len() < parent.len() {
        return false;
    }
    let (head, tail) = path.split_at(parent.len());
    equal(head, parent) && (tail.is_empty() || tail[0] == b'/')
}

#[cfg(test)]
mod tests {
    use super::{MAX_LEN, Problem, check};

    #[test]
    fn good_paths_give_their_normalized_length() {
        for (path, normalized) in [
            ("/", "/"),
            ("/usr", "/usr"),
            ("/usr/", "/usr"),
            ("/etc/passwd", "/etc/passwd"),
            ("/a/.b/..c/...", "/a/.b/..c/..."),
            ("/a./b../", "/a./b.."),
        ] {
            assert_eq!(check(path.as_bytes()), Ok(normalized.len()), "{path:?}");
        }
    }

    #[test]
    fn each_problem_is_named() {
        for (path, problem) in [
            ("", Problem::Empty),
            ("/a\0b", Problem::Nul),
            ("a\0", Problem::Nul),
            ("usr/", Problem::Relative),
            ("//", Problem::EmptyComponent),
            ("/a//b", Problem::EmptyComponent),
            ("/a//", Problem::EmptyComponent),
            ("/.", Problem::Dot),
            ("/a/./b", Problem::Dot),
            ("/a/./", Problem::Dot),
            ("/..", Problem::DotDot),
            ("/a/../b/", Problem::DotDot),
        ] {
            assert_eq!(check(path.as_bytes()), Err(problem), "{path:?}");
        }
    }

    #[test]
    fn the_kernel_limit_counts_the_path_as_written() {
        let longest = format!("/{}", "a".repeat(MAX_LEN - 1));
        assert_eq!(check(longest.as_bytes()), Ok(MAX_LEN));
        let over = format!("{longest}/");
        assert_eq!(check(over.as_bytes()), Err(Problem::TooLong));
    }

    #[test]
    fn checks_in_const_context() {
        const LEN: Result<usize, Problem> = check(b"/srv/data/");
        assert_eq!(LEN, Ok(9));
    }
}

//! Bytes composed on the stack, for code that runs between fork and exec.

use core::ffi::CStr;
use core::fmt;

use rustix::io::Errno;

/// A NUL-terminated byte string in a fixed array: paths like `/oldroot` + a source,
/// `uid_map` lines, overlay option strings. Never allocates, never panics; a push that
/// does not fit fails with `ENAMETOOLONG` and leaves the contents as they were.
pub(crate) struct StackBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StackBuf<N> {
    pub(crate) const fn new() -> Self {
        StackBuf {
            bytes: [0; N],
            len: 0,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    pub(crate) fn as_cstr(&self) -> &CStr {
        // Pushes never store a NUL (they come from `CStr`s and `str`s checked below), and
        // one always follows the contents.
        CStr::from_bytes_until_nul(&self.bytes).unwrap_or_default()
    }

    pub(crate) fn clear(&mut self) {
        self.truncate(0);
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.len = len;
            self.terminate();
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        if bytes.contains(&0) {
            return Err(Errno::INVAL);
        }
        // One byte stays free for the NUL.
        let end = match self.len.checked_add(bytes.len()) {
            Some(end) if end < N => end,
            _ => return Err(Errno::NAMETOOLONG),
        };
        let Some(dst) = self.bytes.get_mut(self.len..end) else {
            return Err(Errno::NAMETOOLONG);
        };
        dst.copy_from_slice(bytes);
        self.len = end;
        self.terminate();
        Ok(())
    }

    fn terminate(&mut self) {
        if let Some(nul) = self.bytes.get_mut(self.len) {
            *nul = 0;
        }
    }

    /// Pushes `bytes` with `\`, `,` and `:` escaped by a backslash, as overlayfs parses
    /// the paths of a mount(2) option string.
    pub(crate) fn push_escaped(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        for byte in bytes {
            if matches!(byte, b'\\' | b',' | b':') {
                self.push(b"\\")?;
            }
            self.push(core::slice::from_ref(byte))?;
        }
        Ok(())
    }

    /// Fills the whole buffer with `fill`, which returns the length it wrote (without
    /// a NUL); on error the buffer is left empty.
    pub(crate) fn fill(
        &mut self,
        fill: impl FnOnce(&mut [u8]) -> Result<usize, Errno>,
    ) -> Result<(), Errno> {
        self.clear();
        let len = fill(&mut self.bytes)?;
        match self.bytes.get(..len) {
            Some(written) if len < N && !written.contains(&0) => {
                self.len = len;
                self.terminate();
                Ok(())
            }
            _ => {
                self.terminate();
                Err(Errno::NAMETOOLONG)
            }
        }
    }
}

impl<const N: usize> fmt::Write for StackBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_keeps_a_nul_and_refuses_what_does_not_fit() {
        let mut buf = StackBuf::<8>::new();
        assert_eq!(buf.as_cstr(), c"");
        buf.push(b"/u").unwrap();
        buf.push(b"12").unwrap();
        assert_eq!(buf.as_cstr(), c"/u12");
        assert_eq!(buf.push(b"xyz4"), Err(Errno::NAMETOOLONG));
        assert_eq!(buf.as_cstr(), c"/u12");
        buf.push(b"xyz").unwrap();
        assert_eq!(buf.as_bytes(), b"/u12xyz");
        buf.truncate(2);
        assert_eq!(buf.as_cstr(), c"/u");
        assert_eq!(buf.push(b"a\0"), Err(Errno::INVAL));
    }

    #[test]
    fn escapes_what_overlayfs_splits_on() {
        let mut buf = StackBuf::<64>::new();
        buf.push_escaped(br"/a,b:c\d").unwrap();
        assert_eq!(buf.as_bytes(), br"/a\,b\:c\\d");
    }

    #[test]
    fn fill_checks_the_length() {
        let mut buf = StackBuf::<4>::new();
        buf.fill(|bytes| {
            bytes[..2].copy_from_slice(b"/x");
            Ok(2)
        })
        .unwrap();
        assert_eq!(buf.as_cstr(), c"/x");
        assert_eq!(buf.fill(|_| Ok(4)), Err(Errno::NAMETOOLONG));
        assert_eq!(buf.as_cstr(), c"");
    }
}

//! `file`, `dir` and `symlink`: paths the table makes rather than mounts from the host.
//!
//! A `dir` or `symlink` in the new root was made with the skeleton; one inside a tmpfs
//! (or a writable union) of the table is made when its turn comes, after that mount,
//! the missing directories above it too, following no link on the way. A `file` is a
//! read-only bind of its content, written to a tmpfs of the scratch root that the
//! sandbox never sees.

use core::ffi::CStr;
use core::fmt::Write as _;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, CWD, Mode};
use rustix::io::Errno;
use rustix::mount::{self, MoveMountFlags};

use super::{
    Roots, attributes, attributes_of, bind_one, create_parents, explain, is_dir, new_file,
    new_mount_with, relative,
};
use crate::error::{Context, Error, Step};
use crate::stack::StackBuf;
use crate::table::{Flags, Kind, Mount};

/// The scratch directory of the data tmpfs, outside the new root.
const DATA: &CStr = c"/data";

/// The largest page size of the architectures mountns runs on (arm64 may use 64 KiB):
/// a file of content takes whole pages of the data tmpfs.
const PAGE_MAX: usize = 64 * 1024;

/// The tmpfs that holds the content of the table's `file`s, one file per entry, made
/// on the first and sized from them all.
pub(super) struct Data {
    /// The data tmpfs, once mounted at [`DATA`].
    tmpfs: Option<OwnedFd>,
    /// How many files it holds, which names the next.
    files: u32,
    /// Its size: every content of the table, each in whole pages.
    size: usize,
}

impl Data {
    pub(super) fn new(mounts: &'static [Mount]) -> Data {
        let pages = mounts
            .iter()
            .filter_map(|mount| match mount.kind() {
                Kind::File { content } => Some(content.len().div_ceil(PAGE_MAX).max(1)),
                _ => None,
            })
            .fold(0, usize::saturating_add);
        Data {
            tmpfs: None,
            files: 0,
            size: pages.saturating_mul(PAGE_MAX),
        }
    }

    /// The data tmpfs, mounted at [`DATA`] the first time: nosuid, nodev and noexec, and
    /// never part of the new root.
    fn tmpfs(&mut self) -> Result<BorrowedFd<'_>, Errno> {
        if self.tmpfs.is_none() {
            let mut size = StackBuf::<32>::new();
            write!(size, "{}", self.size).map_err(|_| Errno::NAMETOOLONG)?;
            let tmpfs = new_mount_with(c"tmpfs", attributes(Flags::NOEXEC), |fs| {
                mount::fsconfig_set_string(fs, c"mode", c"0700")?;
                mount::fsconfig_set_string(fs, c"size", size.as_cstr())
            })?;
            fs::mkdir(DATA, Mode::from_raw_mode(0o700))?;
            let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH;
            mount::move_mount(&tmpfs, c"", CWD, DATA, flags)?;
            self.tmpfs = Some(tmpfs);
        }
        self.tmpfs.as_ref().map(AsFd::as_fd).ok_or(Errno::BADF)
    }

    /// A new file of the data tmpfs holding `content`, mode 0444, open for writing.
    fn write(&mut self, content: &[u8]) -> Result<OwnedFd, Errno> {
        let mut name = StackBuf::<16>::new();
        write!(name, "{}", self.files).map_err(|_| Errno::NAMETOOLONG)?;
        self.files += 1;
        let file = new_file(self.tmpfs()?, name.as_cstr(), 0o444)?;
        let mut rest = content;
        while !rest.is_empty() {
            match rustix::io::write(&file, rest)? {
                0 => return Err(Errno::IO),
                written => rest = rest.get(written..).unwrap_or_default(),
            }
        }
        Ok(file)
    }
}

/// Binds a new file holding `bytes` onto `mountpoint`, read-only: even root inside
/// gets EROFS.
pub(super) fn file(
    roots: &mut Roots,
    mountpoint: &OwnedFd,
    mount: &Mount,
    bytes: &'static [u8],
    context: Context,
) -> Result<(), Error> {
    if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
        return Err(context.fail(Step::Node)(Errno::ISDIR));
    }
    context.step(Step::Node, || {
        let file = roots.data.write(bytes)?;
        bind_one(&file, attributes_of(mount), mountpoint)
    })
}

/// Makes the directory of a `dir` inside a tmpfs of the table.
pub(super) fn dir(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    context: Context,
) -> Result<(), Error> {
    make(new_root, mount, context, |parent, name| {
        fs::mkdirat(parent, name, Mode::from_raw_mode(0o755))
    })
}

/// Makes the link of a `symlink` inside a tmpfs of the table.
pub(super) fn symlink(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    text: &'static CStr,
    context: Context,
) -> Result<(), Error> {
    make(new_root, mount, context, |parent, name| {
        fs::symlinkat(text, parent, name)
    })
}

/// Makes what `make_at` makes at the target of `mount`, when it is inside a tmpfs of
/// the table: the skeleton made the others. Whatever is already there (a host layer's
/// file, a link planted in a writable union) is an error (EEXIST), never followed.
fn make(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    context: Context,
    make_at: impl FnOnce(&OwnedFd, &CStr) -> Result<(), Errno>,
) -> Result<(), Error> {
    if !mount.in_tmpfs() {
        return Ok(());
    }
    context
        .step(Step::Node, || {
            let (parent, name) = create_parents(new_root, relative(mount.target()))?;
            make_at(&parent, name.as_cstr())
        })
        .map_err(|error| explain(error, new_root, mount.target()))
}

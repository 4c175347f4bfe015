//! `file`, `dir` and `symlink`: paths the table makes rather than mounts from the host.
//!
//! A `dir` or `symlink` in the new root was made with the skeleton; one inside a tmpfs
//! (or a writable union) of the table is made when its turn comes, after that mount,
//! the missing directories above it too, following no link on the way. A `file` is a
//! bind of that file alone, read-only unless `rw`, holding its content: written to a
//! tmpfs of the scratch root that the sandbox never sees, so that even a writable copy
//! leads nowhere else. Each is made with its mode and given to the program's user.

use core::ffi::CStr;
use core::fmt::Write as _;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{self, CWD, Mode};
use rustix::io::Errno;
use rustix::mount::{self, MoveMountFlags};

use crate::enter::fsops::{bind_one, is_dir, make_dir, new_file, new_mount_with, relative};
use crate::enter::mountpoints::{Maker, create_parents, explain};
use crate::enter::roots::Roots;
use crate::error::{Context, Error, Step};
use crate::params::Value;
use crate::stack::StackBuf;
use crate::table::{Flags, Kind, MadeIn, Mount};

/// The scratch directory of the data tmpfs, outside the new root.
const DATA: &CStr = c"/data";

/// The largest page size of the architectures mountns runs on (arm64 may use 64 KiB):
/// a file of content takes whole pages of the data tmpfs.
const PAGE_MAX: usize = 64 * 1024;

/// A read-only `file`'s mode unless declared: whoever the program runs as reads it.
const READ_ONLY: u32 = 0o444;

/// A `file rw`'s mode unless declared: the program's user (who owns it) writes it,
/// others read it.
const WRITABLE: u32 = 0o644;

/// Where a `file`'s bytes come from.
#[derive(Clone, Copy)]
pub(super) enum Bytes {
    /// Fixed at compile time.
    Fixed(&'static [u8]),
    /// Given when entering, to the slot of this name.
    Given(&'static CStr),
}

/// The tmpfs that holds the content of the table's `file`s, one file per entry, made
/// on the first and sized from them all: to the pages their bytes take when every
/// `file` is read-only with content fixed at compile time, else as any tmpfs without
/// `size=` (half the memory), since a writable file may grow and a slot's content is
/// known only now.
pub(super) struct Data {
    /// The data tmpfs, once mounted at [`DATA`].
    tmpfs: Option<OwnedFd>,
    /// How many files it holds, which names the next.
    files: u32,
    /// Its size, if bounded.
    size: Option<usize>,
}

impl Data {
    pub(super) fn new(mounts: &'static [Mount]) -> Data {
        let mut size = Some(0usize);
        for mount in mounts {
            size = match mount.kind() {
                Kind::File { content } if !mount.flags().is_rw() => size.map(|size| {
                    let pages = content.len().div_ceil(PAGE_MAX).max(1);
                    size.saturating_add(pages.saturating_mul(PAGE_MAX))
                }),
                Kind::File { .. } | Kind::FileParam { .. } => None,
                _ => size,
            };
        }
        Data {
            tmpfs: None,
            files: 0,
            size,
        }
    }

    /// The data tmpfs, mounted at [`DATA`] the first time: nosuid, nodev and noexec, and
    /// never part of the new root.
    fn tmpfs(&mut self) -> Result<BorrowedFd<'_>, Errno> {
        if self.tmpfs.is_none() {
            let mut size = StackBuf::<32>::new();
            if let Some(bytes) = self.size {
                write!(size, "{bytes}").map_err(|_| Errno::NAMETOOLONG)?;
            }
            let tmpfs = new_mount_with(c"tmpfs", Flags::NOEXEC.attributes(), |fs| {
                mount::fsconfig_set_string(fs, c"mode", c"0700")?;
                if size.as_bytes().is_empty() {
                    Ok(())
                } else {
                    mount::fsconfig_set_string(fs, c"size", size.as_cstr())
                }
            })?;
            fs::mkdir(DATA, Mode::from_raw_mode(0o700))?;
            let flags = MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH;
            mount::move_mount(&tmpfs, c"", CWD, DATA, flags)?;
            self.tmpfs = Some(tmpfs);
        }
        self.tmpfs.as_ref().map(AsFd::as_fd).ok_or(Errno::BADF)
    }

    /// A new file of the data tmpfs with `mode`, open for writing.
    fn create(&mut self, mode: u32) -> Result<OwnedFd, Errno> {
        let mut name = StackBuf::<16>::new();
        write!(name, "{}", self.files).map_err(|_| Errno::NAMETOOLONG)?;
        self.files += 1;
        new_file(self.tmpfs()?, name.as_cstr(), mode)
    }
}

/// Writes all of `bytes` to `file`.
fn write_all(file: &OwnedFd, bytes: &[u8]) -> Result<(), Errno> {
    let mut rest = bytes;
    while !rest.is_empty() {
        match rustix::io::write(file, rest) {
            Ok(0) => return Err(Errno::IO),
            Ok(written) => rest = rest.get(written..).unwrap_or_default(),
            Err(Errno::INTR) => {}
            Err(errno) => return Err(errno),
        }
    }
    Ok(())
}

/// Binds a new file holding `bytes` onto `mountpoint`: read-only (even root inside
/// gets EROFS) unless `rw`, with the declared mode, and belonging to the program's user.
pub(super) fn file(
    roots: &Roots,
    data: &mut Data,
    mountpoint: &OwnedFd,
    mount: &Mount,
    bytes: Bytes,
    context: Context,
) -> Result<(), Error> {
    if is_dir(mountpoint).map_err(context.fail(Step::Mountpoint))? {
        return Err(context.fail(Step::Node)(Errno::ISDIR));
    }
    let rw = mount.flags().is_rw();
    let default = if rw { WRITABLE } else { READ_ONLY };
    context.step(Step::Node, || {
        let file = data.create(mount.mode().unwrap_or(default))?;
        match bytes {
            Bytes::Fixed(fixed) => write_all(&file, fixed)?,
            Bytes::Given(name) => match roots.params.value(name) {
                Ok(Value::Content(given)) => write_all(&file, given)?,
                // Checked before anything was mounted.
                _ => return Err(Errno::INVAL),
            },
        }
        roots.maker.give_file(file.as_fd())?;
        bind_one(&file, mount.attributes(), mountpoint)
    })
}

/// Makes the directory of a `dir` inside a tmpfs of the table, with its mode.
pub(super) fn dir(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    context: Context,
    maker: Maker,
) -> Result<(), Error> {
    make(new_root, mount, context, maker, |parent, name| {
        make_dir(parent.as_fd(), name, mount.mode().unwrap_or(0o755))
    })
}

/// Makes the link of a `symlink` inside a tmpfs of the table.
pub(super) fn symlink(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    text: &'static CStr,
    context: Context,
    maker: Maker,
) -> Result<(), Error> {
    make(new_root, mount, context, maker, |parent, name| {
        fs::symlinkat(text, parent, name)
    })
}

/// Makes what `make_at` makes at the target of `mount`, when it is inside a tmpfs of
/// the table (the skeleton made the others), and gives it to the program's user. Whatever
/// is already there (a host layer's file, a link planted in a writable union) is an
/// error (EEXIST), never followed.
fn make(
    new_root: BorrowedFd<'_>,
    mount: &'static Mount,
    context: Context,
    maker: Maker,
    make_at: impl FnOnce(&OwnedFd, &CStr) -> Result<(), Errno>,
) -> Result<(), Error> {
    if mount.made_in() == MadeIn::Skeleton {
        return Ok(());
    }
    context
        .step(Step::Node, || {
            let (parent, name) = create_parents(new_root, relative(mount.target()), maker)?;
            make_at(&parent, name.as_cstr())?;
            maker.give(parent.as_fd(), name.as_cstr(), true)
        })
        .map_err(|error| explain(error, new_root, mount.target()))
}

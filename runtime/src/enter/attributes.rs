//! The mount attributes each entry of the table gets: what its code sets, and what the
//! table's `Display` prints.

use rustix::mount::MountAttrFlags;

use crate::table::{Flags, Kind, Mount};

/// A `proc`'s: nosuid, nodev, noexec.
pub(crate) const PROC: MountAttrFlags = attributes(Flags::NOEXEC);

/// A `dev`'s tmpfs (read-only besides once sealed): nosuid, nodev, noexec.
pub(crate) const DEV: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_NOSUID
    .union(MountAttrFlags::MOUNT_ATTR_NODEV)
    .union(MountAttrFlags::MOUNT_ATTR_NOEXEC);

/// The attributes the mount of `mount` gets, each kind's as its code gives them, and
/// what the table's `Display` prints: the flags' [`attributes`]; read-only besides for
/// a union without an upper, and for a `file` (noexec too); a `dev`'s tmpfs nosuid, nodev, noexec, and
/// read-only once sealed; a `proc` nosuid, nodev, noexec. A `dir` or `symlink` is no
/// mount.
pub(crate) const fn attributes_of(mount: &Mount) -> MountAttrFlags {
    const RDONLY: MountAttrFlags = MountAttrFlags::MOUNT_ATTR_RDONLY;
    let flags = attributes(mount.flags());
    match mount.kind() {
        Kind::Bind { .. } | Kind::Tmpfs(_) | Kind::Union { upper: Some(_), .. } => flags,
        Kind::Union { upper: None, .. } => flags.union(RDONLY),
        // The clone of a file of the data tmpfs, which is noexec, keeps noexec; a `file
        // rw` is the program's to write.
        Kind::File { .. } | Kind::FileParam { .. } if mount.flags().is_rw() => {
            flags.union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
        }
        Kind::File { .. } | Kind::FileParam { .. } => {
            flags.union(RDONLY).union(MountAttrFlags::MOUNT_ATTR_NOEXEC)
        }
        Kind::Proc => PROC,
        Kind::Dev => DEV.union(RDONLY),
        Kind::Dir | Kind::Symlink { .. } => MountAttrFlags::empty(),
    }
}

/// The attributes of a mount of the table: always nosuid; nodev unless `dev`; noexec
/// with `noexec`; read-only with `ro`.
pub(crate) const fn attributes(flags: Flags) -> MountAttrFlags {
    let mut attributes = MountAttrFlags::MOUNT_ATTR_NOSUID;
    if !flags.is_dev() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NODEV);
    }
    if flags.is_noexec() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_NOEXEC);
    }
    if flags.is_read_only() {
        attributes = attributes.union(MountAttrFlags::MOUNT_ATTR_RDONLY);
    }
    attributes
}

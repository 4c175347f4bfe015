//! Unions: overlayfs mounts of host directories (the lower layers, top first), the
//! skeleton below them all, and for a writable union an upper and work directory on a
//! tmpfs of its own outside the new root, or the host's own (`upper(..)`), which keep
//! the writes. Built one layer at a time with `fsconfig(2)` where the kernel can (6.8),
//! each layer by descriptor where it takes one (6.15), else by a staged name; before
//! 6.8 with one `mount(2)` option string. DESIGN.md says why each route exists.

use core::fmt::Write as _;
use core::sync::atomic::{AtomicBool, Ordering};

use rustix::fd::{AsFd as _, AsRawFd as _, OwnedFd};
use rustix::fs::{self, AtFlags, CWD, Mode, OFlags, StatxFlags};
use rustix::io::Errno;
use rustix::mount::{
    self, FsMountFlags, FsOpenFlags, MountAttrFlags, MountFlags, MoveMountFlags, OpenTreeFlags,
};

use crate::enter::fsops::{DIRECTORY, ScratchName, attach, clone_tree, new_tmpfs};
use crate::enter::roots::{Roots, open_source};
use crate::error::{Context, Error, Reason, Step};
use crate::stack::StackBuf;
use crate::table::{Flags, Mount, Source, Tmpfs, Upper};

static LEGACY_UNIONS: AtomicBool = AtomicBool::new(false);

/// Makes unions use the `mount(2)` option-string path of kernels before 6.8 instead of
/// `fsconfig(2)` with `lowerdir+`, in this process and the children it forks from now
/// on. For tests and benchmarks of that path; hidden from the docs.
#[doc(hidden)]
pub fn force_legacy_unions(on: bool) {
    LEGACY_UNIONS.store(on, Ordering::Relaxed);
}

/// Where a writable union's writes go.
enum Writes {
    /// Upper and work directories on a tmpfs of ours.
    Scratch(UpperDirs),
    /// The host's upper and work directories, opened as sources are.
    Host(HostDirs),
}

/// The host's upper and work directories of a union, and their declared names.
struct HostDirs {
    upper: OwnedFd,
    work: OwnedFd,
    upper_name: Source,
    work_name: Source,
}

impl HostDirs {
    /// Opens both under the host's root, as sources are opened, and checks that they
    /// are on one mount, as overlayfs wants.
    fn open(
        roots: &Roots,
        (upper_name, work_name): (Source, Source),
        context: Context,
    ) -> Result<HostDirs, Error> {
        let open = |name| {
            open_source(roots, name, OFlags::DIRECTORY)
                .map_err(context.with_source(name).fail(Step::Upper))
        };
        let (upper, work) = (open(upper_name)?, open(work_name)?);
        let mount = |dir: &OwnedFd| {
            fs::statx(dir, c"", AtFlags::EMPTY_PATH, StatxFlags::MNT_ID)
                .map(|statx| statx.stx_mnt_id)
        };
        let fail = context.with_source(work_name).fail(Step::Upper);
        if mount(&upper).map_err(fail)? != mount(&work).map_err(fail)? {
            return Err(fail(Errno::XDEV).because(Reason::SeparateMounts(upper_name)));
        }
        Ok(HostDirs {
            upper,
            work,
            upper_name,
            work_name,
        })
    }

    /// The name by which the kernel's own lookup finds `dir`: its descriptor through
    /// the host's procfs (a magic link to that very directory, not a path looked up
    /// again), for kernels that take the upper and work directories only by path.
    fn by_descriptor(roots: &Roots, dir: &OwnedFd, path: &mut ScratchName) -> Result<(), Errno> {
        let proc = open_source(roots, Source::Host(c"/proc"), OFlags::DIRECTORY)?;
        if fs::fstatfs(&proc)?.f_type != fs::PROC_SUPER_MAGIC {
            return Err(Errno::XDEV);
        }
        path.clear();
        write!(path, "/oldroot/proc/self/fd/{}", dir.as_raw_fd()).map_err(|_| Errno::NAMETOOLONG)
    }

    /// Explains what overlayfs answered: the directories in use by another union
    /// (EBUSY), made over another top layer (ESTALE), or on a filesystem it refuses as
    /// an upper.
    fn explain(&self, error: Error) -> Error {
        let reason = match Errno::from_raw_os_error(error.errno()) {
            Errno::BUSY => Reason::InUse(self.work_name),
            Errno::STALE => Reason::OtherLayers(self.work_name),
            Errno::INVAL | Errno::ROFS | Errno::OPNOTSUPP => match fs::fstatfs(&self.upper) {
                Ok(stat) => Reason::UpperFilesystem(stat.f_type.cast_unsigned()),
                Err(_) => return error,
            },
            _ => return error,
        };
        error.on_layer(self.upper_name).because(reason)
    }
}

/// The scratch directory of a writable union, `/u{index}`, outside the new root.
struct UpperDirs {
    scratch: ScratchName,
}

impl UpperDirs {
    fn prepare(tmpfs: Tmpfs, index: u32) -> Result<UpperDirs, Errno> {
        let mut scratch = ScratchName::new();
        write!(scratch, "/u{index}").map_err(|_| Errno::NAMETOOLONG)?;
        fs::mkdir(scratch.as_cstr(), Mode::from_raw_mode(0o755))?;
        let fs = new_tmpfs(tmpfs, Flags::NONE.attributes())?;
        mount::move_mount(
            &fs,
            c"",
            CWD,
            scratch.as_cstr(),
            MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
        )?;
        drop(fs);
        let dirs = UpperDirs { scratch };
        for name in [&b"/upper"[..], b"/work"] {
            let mut path = ScratchName::new();
            dirs.push(&mut path, name, false)?;
            fs::mkdir(path.as_cstr(), Mode::from_raw_mode(0o755))?;
        }
        Ok(dirs)
    }

    /// Pushes the scratch path then `name` (`/upper` or `/work`).
    fn push<const N: usize>(
        &self,
        buf: &mut StackBuf<N>,
        name: &[u8],
        escape: bool,
    ) -> Result<(), Errno> {
        if escape {
            buf.push_escaped(self.scratch.as_bytes())?;
            buf.push_escaped(name)
        } else {
            buf.push(self.scratch.as_bytes())?;
            buf.push(name)
        }
    }
}

/// What a union is made of, for either way of making it.
struct Layers<'a> {
    mount: &'static Mount,
    lowers: &'static [Source],
    upper: Option<&'a Writes>,
    user_namespace: bool,
    context: Context,
}

impl Layers<'_> {
    /// The overlay's attributes: the table's flags, and read-only without an upper.
    fn attributes(&self) -> MountAttrFlags {
        self.mount.attributes()
    }
}

pub(super) fn mount(
    roots: &mut Roots,
    mountpoint: &OwnedFd,
    mount: &'static Mount,
    lowers: &'static [Source],
    upper: Option<Upper>,
    user_namespace: bool,
    context: Context,
) -> Result<(), Error> {
    let upper = match upper.map(|upper| (upper, upper.tmpfs(), upper.host())) {
        Some((upper, Some(tmpfs), _)) => {
            Some(Writes::Scratch(context.step(Step::Upper, || {
                UpperDirs::prepare(tmpfs, upper.index())
            })?))
        }
        Some((_, None, Some(dirs))) => Some(Writes::Host(HostDirs::open(roots, dirs, context)?)),
        _ => None,
    };
    let layers = Layers {
        mount,
        lowers,
        upper: upper.as_ref(),
        user_namespace,
        context,
    };
    let made = if LEGACY_UNIONS.load(Ordering::Relaxed) {
        union_legacy(roots, mountpoint, &layers)
    } else {
        match union_fsconfig(roots, mountpoint, &layers) {
            Ok(true) => Ok(()),
            Ok(false) => union_legacy(roots, mountpoint, &layers),
            Err(error) => Err(error),
        }
    };
    // Explain what the kernel answered with a bare errno: ELOOP, EINVAL, and for the
    // host's upper and work directories EBUSY, ESTALE.
    made.map_err(|error| overlapping(error, roots, lowers, context))
        .map_err(|error| find_locked_layer(roots, lowers, error))
        .map_err(|error| match &upper {
            Some(Writes::Host(dirs)) if !error.has_reason() => dirs.explain(error),
            _ => error,
        })
}

/// Names the two layers when overlayfs refused the union with ELOOP: one is the other,
/// or lies under it. The macro refuses such paths; here they are one directory reached
/// by two paths (a link, a bind mount), so layers are compared by what they are: each
/// layer, then each of its ancestors up to the host's root, against every layer.
fn overlapping(error: Error, roots: &Roots, lowers: &'static [Source], context: Context) -> Error {
    if error.errno() != Errno::LOOP.raw_os_error() {
        return error;
    }
    let mut ids = [(0, 0); mountns_paths::layers::MAX];
    let count = lowers.len().min(ids.len());
    for (id, &lower) in ids.iter_mut().zip(lowers) {
        match open_source(roots, lower, OFlags::DIRECTORY).and_then(|dir| identity(&dir)) {
            Ok(found) => *id = found,
            Err(_) => return error,
        }
    }
    let Ok(host_root) = identity(&roots.old) else {
        return error;
    };
    for (i, &lower) in lowers.iter().enumerate().take(count) {
        let Ok(mut dir) = open_source(roots, lower, OFlags::DIRECTORY) else {
            return error;
        };
        loop {
            let Ok(id) = identity(&dir) else {
                return error;
            };
            if let Some(j) = (0..count).find(|&j| j != i && ids[j] == id) {
                let (later, earlier) = if j < i { (i, j) } else { (j, i) };
                return context.with_source(lowers[later]).fail(error.step())(Errno::LOOP)
                    .because(Reason::Overlapping(lowers[earlier]));
            }
            match fs::openat(&dir, c"..", DIRECTORY, Mode::empty()) {
                Ok(parent) if id != host_root => dir = parent,
                _ => break,
            }
        }
    }
    error
}

/// A directory's device and inode.
fn identity(dir: &OwnedFd) -> Result<(u64, u64), Errno> {
    let stat = fs::fstat(dir)?;
    Ok((stat.st_dev, stat.st_ino))
}

/// Builds the overlay one layer at a time (kernel 6.8: `lowerdir+`, no escaping, no page
/// limit). Each layer goes by the descriptor `openat2` found under the host's root
/// where the kernel takes one (6.15: `O_PATH` descriptors), else by a staged name (see
/// [`stage_layer`]). Returns false if this kernel cannot, for the legacy path to take
/// over.
fn union_fsconfig(
    roots: &mut Roots,
    mountpoint: &OwnedFd,
    layers: &Layers<'_>,
) -> Result<bool, Error> {
    let fail = layers.context.begin(Step::Union)?;
    let fs = mount::fsopen(c"overlay", FsOpenFlags::FSOPEN_CLOEXEC).map_err(fail)?;
    // Before 6.5 overlayfs takes any key here and fails only at create: probe with a key
    // that no parser knows; one that accepts it is the legacy one.
    if mount::fsconfig_set_flag(&fs, c"mountns-probe").is_ok() {
        return Ok(false);
    }
    let mut by_fd = true;
    // The layers, top first: the host's directories...
    for (index, &lower) in layers.lowers.iter().enumerate() {
        let layer = layers.context.with_source(lower);
        let dir = open_source(roots, lower, OFlags::DIRECTORY).map_err(layer.fail(Step::Source))?;
        match add_layer(roots, &fs, &dir, &mut by_fd) {
            Ok(()) => {}
            // 6.5 to 6.7 know the new API but not `lowerdir+`.
            Err(Errno::INVAL) if index == 0 && !by_fd => return Ok(false),
            Err(errno) => return Err(layer.fail(Step::Union)(errno)),
        }
    }
    // ...then the skeleton below them all, so that the mountpoints of nested mounts
    // exist in the merged view even when no layer has them: the mountpoint itself.
    add_layer(roots, &fs, mountpoint, &mut by_fd).map_err(fail)?;
    let mut path = ScratchName::new();
    match layers.upper {
        Some(Writes::Scratch(upper)) => {
            for (key, name) in [(c"upperdir", &b"/upper"[..]), (c"workdir", b"/work")] {
                path.clear();
                upper.push(&mut path, name, false).map_err(fail)?;
                mount::fsconfig_set_string(&fs, key, path.as_cstr()).map_err(fail)?;
            }
        }
        Some(Writes::Host(dirs)) => {
            for (key, dir) in [(c"upperdir", &dirs.upper), (c"workdir", &dirs.work)] {
                // By descriptor (6.13 for any, 6.15 for O_PATH), else by its magic link.
                match mount::fsconfig_set_fd(&fs, key, dir.as_fd()) {
                    Err(Errno::INVAL | Errno::BADF) => {
                        HostDirs::by_descriptor(roots, dir, &mut path).map_err(fail)?;
                        mount::fsconfig_set_string(&fs, key, path.as_cstr()).map_err(fail)?;
                    }
                    done => done.map_err(fail)?,
                }
            }
            // A second union on the same directories fails (EBUSY) instead of mixing
            // two unions' writes: overlayfs's exclusive use of upper and work.
            mount::fsconfig_set_string(&fs, c"index", c"on").map_err(fail)?;
        }
        None => {}
    }
    if layers.user_namespace {
        // Unprivileged overlayfs keeps its metadata in user.* xattrs (kernel 5.11).
        mount::fsconfig_set_flag(&fs, c"userxattr").map_err(fail)?;
    }
    mount::fsconfig_create(&fs).map_err(fail)?;
    let overlay =
        mount::fsmount(&fs, FsMountFlags::FSMOUNT_CLOEXEC, layers.attributes()).map_err(fail)?;
    drop(fs);
    attach(&overlay, mountpoint).map_err(fail)?;
    Ok(true)
}

/// Explains an EINVAL of overlayfs: in a user namespace the kernel locks the mounts
/// below a host directory, and overlayfs cannot clone a layer without them. Cloning each
/// layer alone, as overlayfs does, finds the first such layer; as root none fails.
fn find_locked_layer(roots: &Roots, lowers: &'static [Source], error: Error) -> Error {
    if error.errno() != Errno::INVAL.raw_os_error()
        || !matches!(error.step(), Step::Union | Step::UnionLegacy)
    {
        return error;
    }
    for &lower in lowers {
        let Ok(dir) = open_source(roots, lower, OFlags::DIRECTORY) else {
            continue;
        };
        let flags = OpenTreeFlags::AT_EMPTY_PATH
            | OpenTreeFlags::OPEN_TREE_CLONE
            | OpenTreeFlags::OPEN_TREE_CLOEXEC;
        if mount::open_tree(&dir, c"", flags).err() == Some(Errno::INVAL) {
            return error.on_layer(lower).because(Reason::LockedSubmounts);
        }
    }
    error
}

/// Adds the lower layer `dir`, by descriptor or, once the kernel has refused one (before
/// 6.13 for any, before 6.15 for `O_PATH` ones), by a staged name: `by_fd` remembers which.
fn add_layer(
    roots: &mut Roots,
    fs: &OwnedFd,
    dir: &OwnedFd,
    by_fd: &mut bool,
) -> Result<(), Errno> {
    if *by_fd {
        match mount::fsconfig_set_fd(fs, c"lowerdir+", dir) {
            Err(Errno::INVAL | Errno::BADF) => *by_fd = false,
            done => return done,
        }
    }
    let mut path = ScratchName::new();
    stage_layer(roots, dir, &mut path)?;
    mount::fsconfig_set_string(fs, c"lowerdir+", path.as_cstr())
}

/// Clones the directory `dir` onto a new scratch directory `/l{n}`, outside the new
/// root, and leaves that name in `path`. Layers that go to overlayfs by path go by these
/// names: ours and free of links, the kernel's own lookup of them cannot end anywhere
/// else, whereas a link in a host source on the way to, say, `/newroot/box/u` could
/// climb out of the new root.
fn stage_layer(roots: &mut Roots, dir: &OwnedFd, path: &mut ScratchName) -> Result<(), Errno> {
    path.clear();
    write!(path, "/l{}", roots.staged).map_err(|_| Errno::NAMETOOLONG)?;
    roots.staged += 1;
    fs::mkdir(path.as_cstr(), Mode::from_raw_mode(0o755))?;
    // Overlayfs uses only the top of the (recursive) clone.
    let tree = clone_tree(dir)?;
    mount::move_mount(
        &tree,
        c"",
        CWD,
        path.as_cstr(),
        MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
    )
}

/// Builds the overlay with one `mount(2)` option string (at most a page), mounted on the
/// scratch directory /stage and moved onto the mountpoint.
fn union_legacy(roots: &mut Roots, mountpoint: &OwnedFd, layers: &Layers<'_>) -> Result<(), Error> {
    let fail = layers.context.begin(Step::UnionLegacy)?;
    // Each layer by a staged name, short and free of links; escaped like every path of
    // the string, though ours need none.
    let mut options = StackBuf::<4096>::new();
    let too_long = |_| Errno::TOOBIG;
    let mut path = ScratchName::new();
    options.push(b"lowerdir=").map_err(too_long).map_err(fail)?;
    for &lower in layers.lowers {
        let layer = layers.context.with_source(lower);
        let dir = open_source(roots, lower, OFlags::DIRECTORY).map_err(layer.fail(Step::Source))?;
        stage_layer(roots, &dir, &mut path).map_err(layer.fail(Step::UnionLegacy))?;
        options
            .push_escaped(path.as_bytes())
            .and_then(|()| options.push(b":"))
            .map_err(too_long)
            .map_err(fail)?;
    }
    // The skeleton below them all, as in `union_fsconfig`.
    stage_layer(roots, mountpoint, &mut path).map_err(fail)?;
    options
        .push_escaped(path.as_bytes())
        .map_err(too_long)
        .map_err(fail)?;
    match layers.upper {
        Some(Writes::Scratch(upper)) => options
            .push(b",upperdir=")
            .and_then(|()| upper.push(&mut options, b"/upper", true))
            .and_then(|()| options.push(b",workdir="))
            .and_then(|()| upper.push(&mut options, b"/work", true))
            .map_err(too_long)
            .map_err(fail)?,
        Some(Writes::Host(dirs)) => {
            for (key, dir) in [
                (&b",upperdir="[..], &dirs.upper),
                (b",workdir=", &dirs.work),
            ] {
                HostDirs::by_descriptor(roots, dir, &mut path).map_err(fail)?;
                options
                    .push(key)
                    .and_then(|()| options.push_escaped(path.as_bytes()))
                    .map_err(too_long)
                    .map_err(fail)?;
            }
            options.push(b",index=on").map_err(too_long).map_err(fail)?;
        }
        None => {}
    }
    if layers.user_namespace {
        options
            .push(b",userxattr")
            .map_err(too_long)
            .map_err(fail)?;
    }
    if !roots.stage {
        fs::mkdir(c"/stage", Mode::from_raw_mode(0o755)).map_err(fail)?;
        roots.stage = true;
    }
    let flags = mount_flags(layers.attributes());
    mount::mount(c"overlay", c"/stage", c"overlay", flags, options.as_cstr()).map_err(fail)?;
    mount::move_mount(
        CWD,
        c"/stage",
        mountpoint,
        c"",
        MoveMountFlags::MOVE_MOUNT_T_EMPTY_PATH,
    )
    .map_err(fail)
}

/// The `mount(2)` flags of the same names as `attributes`.
fn mount_flags(attributes: MountAttrFlags) -> MountFlags {
    [
        (MountAttrFlags::MOUNT_ATTR_RDONLY, MountFlags::RDONLY),
        (MountAttrFlags::MOUNT_ATTR_NOSUID, MountFlags::NOSUID),
        (MountAttrFlags::MOUNT_ATTR_NODEV, MountFlags::NODEV),
        (MountAttrFlags::MOUNT_ATTR_NOEXEC, MountFlags::NOEXEC),
    ]
    .into_iter()
    .filter(|(attribute, _)| attributes.contains(*attribute))
    .fold(MountFlags::empty(), |flags, (_, flag)| flags | flag)
}

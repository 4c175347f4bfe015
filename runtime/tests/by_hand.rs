//! Tables built by hand, through the constructors the macro's output calls: what
//! `namespace!` refuses to write, entered for real in children, as root and as uid
//! 65534. Every other test declares its tables with `namespace!` (`tests/` at the
//! repository's root).

use std::ffi::{CStr, CString};

use mountns_runtime::__private::{dir, made_in, mount, mountpoint, namespace, param, tmpfs};
use mountns_runtime::{Flags, Kind, MadeIn, Mount, Mountpoint, Namespace, Param, Source};
use mountns_support::{Fixture, each_user_is_refused, each_user_sees};

/// A tmpfs on the root itself, which the macro refuses (a declaration binds what it
/// needs onto the fresh root instead). Everything else is inside that tmpfs, which
/// covers the (empty) skeleton; its mode tells it from the tmpfs below.
static ROOT_TMPFS: Namespace = {
    static MODE: [Param; 1] = [param(c"mode", Some(c"0711"))];
    static MOUNTS: [Mount; 6] = [
        dir(
            mount(c"/", Flags::NONE, Kind::Tmpfs(tmpfs(c"mode=0711", &MODE))),
            true,
        ),
        in_tmpfs(c"/bin", Flags::READ_ONLY, Source::Host(c"/bin")),
        in_tmpfs(c"/lib", Flags::READ_ONLY, Source::Host(c"/lib")),
        in_tmpfs(c"/lib64", Flags::READ_ONLY, Source::Host(c"/lib64")),
        in_tmpfs(c"/usr", Flags::READ_ONLY, Source::Host(c"/usr")),
        made_in(
            dir(
                mount(c"/work", Flags::NONE, Kind::Tmpfs(tmpfs(c"", &[]))),
                true,
            ),
            MadeIn::Tmpfs,
        ),
    ];
    namespace(&MOUNTS, &[], &[])
};

/// A bind of `source` on the directory `target`, made in the tmpfs on the root.
const fn in_tmpfs(target: &'static CStr, flags: Flags, source: Source) -> Mount {
    made_in(
        dir(mount(target, flags, Kind::Bind { source }), true),
        MadeIn::Tmpfs,
    )
}

#[test]
fn tmpfs_on_the_root_itself() {
    let script = "echo x > /work/x && cat /work/x && ls / && stat -c %a /";
    each_user_sees(&ROOT_TMPFS, script, "x\nbin\nlib\nlib64\nusr\nwork\n711\n");
}

#[test]
fn options_longer_than_a_page_are_refused() {
    // More layers than overlayfs takes: their staged names overflow the page first.
    // The macro refuses such a union (it stops at 499 layers). Through mount(2)'s
    // option string, which the switch makes every union of this process take: no
    // other table here has a union.
    mountns_runtime::force_legacy_unions(true);
    let fixture = Fixture::new();
    let lowers: Vec<Source> = (0..800)
        .map(|i| {
            let path = CString::new(fixture.dir(&format!("{i}"))).unwrap();
            Source::Host(Box::leak(path.into_boxed_c_str()))
        })
        .collect();
    let kind = Kind::Union {
        lowers: Box::leak(lowers.into_boxed_slice()),
        upper: None,
    };
    let mounts = Box::leak(Box::new([dir(mount(c"/opt/u", Flags::NONE, kind), true)]));
    static SKELETON: [Mountpoint; 2] = [mountpoint(c"opt", true), mountpoint(c"opt/u", true)];
    let ns = Box::leak(Box::new(namespace(mounts, &SKELETON, &[])));
    let stderr = "mountns: union on \"/opt/u\": mount overlay with mount(2): \
                  Argument list too long (os error 7); the overlay options exceed a page, \
                  the most mount(2) takes; kernels from 6.8 take layers one at a time instead\n";
    each_user_is_refused(ns, &fixture, 7, stderr);
}

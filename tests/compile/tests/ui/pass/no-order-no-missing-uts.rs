// Two errors one might look for cannot happen here, and this proves it:
// - "`proc` under a tmpfs that is not mounted yet": the table is sorted, parents
//   first, so a tmpfs is mounted before what lies in it, wherever either is declared
//   (after it, in an include, in another crate); `proc` gets its mountpoint made in
//   that tmpfs.
// - "`hostname` without uts where it cannot work": `hostname` always implies `uts`,
//   also when it comes through an include or an `unshare` list leaves `uts` out.
use mountns::{Kind, MadeIn, Namespace, Unshare};

mountns::namespace! {
    static LATER = {
        proc "/run/proc/";
        dir "/run/proc-less/";
        bind "/run/" tmpfs;
    };
    static PROC_ONLY = {
        proc "/sandbox/proc/";
    };
    static ACROSS = {
        include PROC_ONLY;
        bind "/sandbox/" tmpfs("size=1M");
    };
    static NAMED = {
        unshare [net];
        hostname "box";
    };
    static NAMED_BY_AN_INCLUDE = {
        include NAMED;
        unshare [ipc];
    };
}

fn row(ns: &Namespace, n: usize) -> (&core::ffi::CStr, Kind, bool) {
    let mount = &ns.mounts()[n];
    (mount.target(), mount.kind(), mount.made_in() == MadeIn::Tmpfs)
}

fn main() {
    assert!(matches!(row(&LATER, 0), (t, Kind::Tmpfs(_), false) if t == c"/run"));
    assert_eq!(row(&LATER, 1), (c"/run/proc", Kind::Proc, true));
    assert_eq!(row(&LATER, 2), (c"/run/proc-less", Kind::Dir, true));
    assert!(matches!(row(&ACROSS, 0), (t, Kind::Tmpfs(_), false) if t == c"/sandbox"));
    assert_eq!(row(&ACROSS, 1), (c"/sandbox/proc", Kind::Proc, true));
    for ns in [&LATER, &ACROSS] {
        assert!(ns.unshare().contains(Unshare::PID));
    }
    for ns in [&NAMED, &NAMED_BY_AN_INCLUDE] {
        assert!(ns.unshare().contains(Unshare::UTS));
        assert!(ns.unshare().contains(Unshare::NET));
        assert_eq!(ns.hostname(), Some(c"box"));
    }
    assert!(NAMED_BY_AN_INCLUDE.unshare().contains(Unshare::IPC));
}

// Every statement of a sandbox: fresh /proc and /dev, links and directories made with
// the skeleton or in a tmpfs, files with fixed content, more namespaces, a host name and
// a new session; flags `dev` and `noexec`; all of it through includes, across crates.
use mountns::{Kind, MadeIn, Namespace, Unshare};

const HOSTS: &str = "127.0.0.1 localhost\n";
const SHELLS: &[u8] = b"/bin/sh\n";

mountns::namespace! {
    static BASE = {
        proc "/proc/";
        dev "/dev/";
        bind dev "/dev/dri/";
        symlink "/lib" "usr/lib";
        symlink "/bin" "usr/bin";
        dir "/var/tmp/";
        file "/etc/hostname" "box\n";
        file "/etc/hosts" HOSTS;
        file "/etc/shells" SHELLS;
        file "/etc/services" include_bytes!("sandbox.rs");
        file "/etc/motd" include_str!("sandbox.rs");
        file "/etc/issue" b"box\n";
        unshare [net, ipc];
        hostname "box";
        new_session;
        bind ro "/usr/";
        bind ro noexec "/srv/";
        bind "/tmp/" tmpfs;
        dir "/tmp/cache/";
        symlink "/tmp/link" "cache";
        file "/tmp/note" "note";
        bind "/home/" ["/srv/home/", tmpfs];
        dir "/home/user/";
    };
    static SAME = {
        include BASE;
        include mountns_support::profiles::sandbox::BOX;
        unshare [uts, cgroup];
        hostname "box";
    };
    static ROOT = {
        bind "/" ["/srv/a/", "/srv/b/"];
        symlink "/lib64" "usr/lib64";
        dir "/run/";
    };
    // `dev` on every kind of host source: a slot, a constant, a read-only union.
    static DEVICES = {
        bind dev noexec "/media/" [param(MEDIA), "/srv/media/"];
        bind dev "/opt/" HOSTS_DIR;
        bind dev ro "/mnt/" param(MNT);
    };
}

const HOSTS_DIR: &str = "/srv/opt";

fn kind(ns: &Namespace, target: &core::ffi::CStr) -> Kind {
    let mount = ns.mounts().iter().find(|m| m.target() == target);
    mount.unwrap_or_else(|| panic!("no {target:?}")).kind()
}

fn main() {
    let unshare = BASE.unshare();
    assert!(unshare.contains(Unshare::PID) && unshare.contains(Unshare::UTS));
    assert!(unshare.contains(Unshare::NET) && unshare.contains(Unshare::IPC));
    assert!(!unshare.contains(Unshare::CGROUP));
    assert_eq!(BASE.hostname(), Some(c"box"));
    assert!(BASE.new_session());
    assert_eq!(kind(&BASE, c"/proc"), Kind::Proc);
    assert_eq!(kind(&BASE, c"/etc/hosts"), Kind::File { content: HOSTS.as_bytes() });
    assert_eq!(kind(&BASE, c"/etc/issue"), Kind::File { content: b"box\n" });
    assert_eq!(kind(&BASE, c"/lib"), Kind::Symlink { text: c"usr/lib" });
    let made_in = |ns: &Namespace, target| {
        ns.mounts().iter().find(|m| m.target() == target).unwrap().made_in()
    };
    for (target, expected) in [
        (c"/lib", MadeIn::Skeleton),
        (c"/var/tmp", MadeIn::Skeleton),
        (c"/etc/hostname", MadeIn::Skeleton),
        (c"/dev/dri", MadeIn::Dev),
        (c"/tmp/cache", MadeIn::Tmpfs),
        (c"/tmp/link", MadeIn::Tmpfs),
        (c"/tmp/note", MadeIn::Tmpfs),
        (c"/home/user", MadeIn::Upper),
    ] {
        assert_eq!(made_in(&BASE, target), expected, "{target:?}");
    }
    let link = mountns::__private::skeleton(&BASE).iter().find(|m| m.path() == c"lib").unwrap();
    assert_eq!(link.link(), Some(c"usr/lib"));
    assert!(mountns::__private::skeleton(&BASE).iter().all(|m| m.path() != c"tmp/cache" && m.path() != c"home/user"));
    assert!(BASE.mounts().iter().find(|m| m.target() == c"/srv").unwrap().flags().is_noexec());
    assert!(BASE.mounts().iter().find(|m| m.target() == c"/dev/dri").unwrap().flags().is_dev());

    assert_eq!(SAME.unshare().bits() & BASE.unshare().bits(), BASE.unshare().bits());
    assert!(SAME.unshare().contains(Unshare::CGROUP));
    assert_eq!(SAME.hostname(), Some(c"box"));
    assert!(SAME.new_session());
    assert_eq!(kind(&SAME, c"/etc/motd"), kind(&BASE, c"/etc/motd"));
    assert_eq!(kind(&SAME, c"/etc/helper"), Kind::File { content: b"helper\n" });
    assert_eq!(kind(&SAME, c"/etc/issue"), Kind::File { content: b"box\n" });
    assert_eq!(
        mountns_support::profiles::sandbox::BOX.unshare(),
        Unshare::PID.union(Unshare::NET).union(Unshare::UTS)
    );

    assert_eq!(ROOT.unshare(), Unshare::NONE);
    assert_eq!(ROOT.hostname(), None);
    let lib64 = mountns::__private::skeleton(&ROOT).iter().find(|m| m.path() == c"lib64").unwrap();
    assert_eq!(lib64.link(), Some(c"usr/lib64"));
    for mount in DEVICES.mounts() {
        assert!(mount.flags().is_dev(), "{mount:?}");
    }

    // The expression form takes every statement too.
    let ns = mountns::namespace! { proc "/proc/"; dev "/dev/"; hostname "box"; new_session; };
    assert!(ns.unshare().contains(Unshare::PID) && ns.unshare().contains(Unshare::UTS));
    assert!(ns.new_session());
    println!("{BASE}{SAME}{ROOT}{ns}");
}

// Modes, writable files, content and sources given when entering, persistent unions and
// the program as pid 1: each survives an include from another invocation unchanged.
use mountns::{Flags, Kind, Namespace, Source};

mountns::namespace! {
    static FEATURES = {
        dir "/var/tmp/" mode(1777);
        bind "/t/" tmpfs;
        dir "/t/private/" mode(0o700);
        file "/t/ro" "ro\n" mode(0640);
        file rw "/etc/resolv.conf" "nameserver 10.0.0.1\n";
        file "/etc/passwd" param(PASSWD);
        bind "/src/" param(SRC);
        bind "/build/" ["/srv/lower/", upper("/srv/upper/", "/srv/work/")];
        bind "/cache/" [param(LOWER), upper(param(UPPER), param(WORK))];
        as_pid_1;
    };
}

mountns::namespace! {
    static INCLUDER = { include FEATURES; };
}

fn row(ns: &Namespace, target: &std::ffi::CStr) -> mountns::Mount {
    *ns.mounts().iter().find(|mount| mount.target() == target).unwrap()
}

fn main() {
    assert_eq!(FEATURES.mounts(), INCLUDER.mounts());
    assert!(INCLUDER.as_pid_1());
    assert_eq!(row(&INCLUDER, c"/var/tmp").mode(), Some(0o1777));
    assert_eq!(row(&INCLUDER, c"/t/ro").mode(), Some(0o640));
    assert_eq!(row(&INCLUDER, c"/etc/resolv.conf").flags(), Flags::RW);
    assert_eq!(row(&INCLUDER, c"/etc/passwd").kind(), Kind::FileParam { name: c"PASSWD" });
    let Kind::Union { upper: Some(upper), .. } = row(&INCLUDER, c"/build").kind() else {
        panic!("not a union");
    };
    assert_eq!(upper.host(), Some((Source::Host(c"/srv/upper"), Source::Host(c"/srv/work"))));
    assert_eq!(upper.tmpfs(), None);
    let Kind::Union { upper: Some(upper), lowers } = row(&INCLUDER, c"/cache").kind() else {
        panic!("not a union");
    };
    assert_eq!(lowers, [Source::Slot(c"LOWER")]);
    assert_eq!(upper.host(), Some((Source::Slot(c"UPPER"), Source::Slot(c"WORK"))));
    assert!(mountns::__private::has_slots(&FEATURES));
}

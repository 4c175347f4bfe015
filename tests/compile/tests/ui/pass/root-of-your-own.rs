// The root as a host directory, a read-only union, or a writable union, with the rest
// of the table nested under it.
use mountns::Package;

const LIBC: Package = Package::new("/srv/store/libc", &[]);
const SHELL: Package = Package::new("/srv/store/shell", &[&LIBC]);

mountns::namespace! {
    static ROOTFS = {
        bind "/" "/srv/rootfs/";
        bind "/proc/";
    };
    static UNION = {
        bind "/" ["/srv/tzdata/", "/srv/certs/"];
        bind "/tmp" tmpfs("size=10M");
        include mountns::MINIMAL;
    };
    static WRITABLE = {
        bind "/" ["/srv/rootfs/", tmpfs("size=100M")];
        bind ["/dev/", "/proc/"];
    };
    // A package with inputs is a read-only union, the skeleton its lowest layer: a
    // `dir` or `symlink` in the root is made with the skeleton.
    static PACKAGED = {
        bind "/" SHELL;
        dir "/run/";
        symlink "/bin" "usr/bin";
    };
}
fn main() {
    for ns in [&ROOTFS, &UNION, &WRITABLE, &PACKAGED] {
        assert_eq!(ns.mounts()[0].target(), c"/");
        assert!(mountns::__private::skeleton(ns).iter().all(|m| !m.path().is_empty()));
    }
    assert!(matches!(UNION.mounts()[0].kind(), mountns::Kind::Union { upper: None, .. }));
    assert!(matches!(WRITABLE.mounts()[0].kind(), mountns::Kind::Union { upper: Some(_), .. }));
    assert!(matches!(PACKAGED.mounts()[0].kind(), mountns::Kind::Union { upper: None, .. }));
    let bin = mountns::__private::skeleton(&PACKAGED).iter().find(|m| m.path() == c"bin").unwrap();
    assert_eq!(bin.link(), Some(c"usr/bin"));
    assert!(mountns::__private::skeleton(&PACKAGED).iter().any(|m| m.path() == c"run"));
}

// The root as a host directory, a read-only union, or a writable union, with the rest
// of the table nested under it.
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
}
fn main() {
    for ns in [&ROOTFS, &UNION, &WRITABLE] {
        assert_eq!(ns.mounts()[0].target(), c"/");
        assert!(ns.skeleton().iter().all(|m| !m.path().is_empty()));
    }
    assert!(matches!(UNION.mounts()[0].kind(), mountns::Kind::Union { upper: None, .. }));
    assert!(matches!(WRITABLE.mounts()[0].kind(), mountns::Kind::Union { upper: Some(_), .. }));
}

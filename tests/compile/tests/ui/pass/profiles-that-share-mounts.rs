mountns::namespace! {
    static DEVICES = {
        bind "/dev/";
        bind "/tmp/" tmpfs("size=1M");
    };
    static LEFT = {
        include DEVICES;
        bind ro "/usr/";
    };
    static RIGHT = {
        include DEVICES;
        bind ro "/usr/";
        bind "/opt/" ["/srv/a/", "/srv/b/"];
    };
    // A diamond: DEVICES reached through LEFT and RIGHT is spliced once.
    static BOTH = {
        include LEFT;
        include RIGHT;
        bind "/opt/" ["/srv/a/", "/srv/b/"];
    };
    // Two profiles that both bind the host's /dev/ (MINIMAL does too).
    static SHARED = {
        include mountns::MINIMAL;
        include mountns_helper::SYSTEM;
        include BOTH;
        bind "/dev/";
    };
}
fn main() {
    assert_eq!(BOTH.mounts().len(), 4);
    let devs = SHARED.mounts().iter().filter(|m| m.target() == c"/dev").count();
    assert_eq!(devs, 1);
    assert!(matches!(SHARED.mounts()[0].kind(), mountns::Kind::Bind { .. }));
}

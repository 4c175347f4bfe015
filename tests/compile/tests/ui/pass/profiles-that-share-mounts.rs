mountns::namespace! {
    static DEVICES = {
        dev "/dev/";
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
    // Profiles that each make a fresh /dev/ (MINIMAL does too): one `dev`.
    static SHARED = {
        include mountns::MINIMAL;
        include mountns_support::profiles::SYSTEM;
        include BOTH;
        dev "/dev/";
    };
}
fn main() {
    assert_eq!(BOTH.mounts().len(), 4);
    let devs: Vec<_> = SHARED.mounts().iter().filter(|m| m.target() == c"/dev").collect();
    assert_eq!(devs.len(), 1);
    assert!(matches!(devs[0].kind(), mountns::Kind::Dev));
}

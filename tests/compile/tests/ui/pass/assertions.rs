// The shapes assertions allow: a tmpfs on a hidden target, a writable union whose upper
// is a tmpfs, read-only unions, a fresh /dev, exceptions, and profiles that assert.
use mountns::Package;

const LIBC: Package = Package::new("/srv/store/libc", &[]);
const OPENSSL: Package = Package::new("/srv/store/openssl", &[&LIBC]);

mountns::namespace! {
    /// A build sandbox, without its other crate's profile.
    static BUILD = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/src/" [param(PROJECT), tmpfs];
        bind "/tmp/" tmpfs("size=64M");
        unshare [net];
        assert hidden ["/home/", "/root/", "/etc/ssh/", "/var/run/docker.sock"];
        assert readonly except ["/src/", "/tmp/"];
        assert unshared [net, pid];
        assert no_dev;
    };

    static SHAPES = {
        bind "/home/" tmpfs;                          // a hidden target, not a source
        bind "/root/" tmpfs;
        bind "/etc/" ["/etc/", tmpfs("size=1M")];     // writes stay in the tmpfs
        bind "/opt/" ["/srv/a/", "/srv/b/"];          // a read-only union
        bind "/lib/ssl/" OPENSSL;                     // a package with inputs: a union
        bind ro "/lib/c/" LIBC;
        bind "/work/" "/srv/work/";
        dev "/dev/";
        hostname "box";
        assert hidden ["/home/", "/root/", "/srv/secret/"];
        assert readonly except ["/work/"];
        assert unshared [uts];
        assert no_dev;
    };

    // A profile's assertions, kept by its includers, here and across crates.
    static PROFILE = { assert hidden ["/home/"]; assert readonly; };
    static KEEPS = {
        include PROFILE;
        include mountns_support::profiles::assertions::GUARDED;
        include mountns::MINIMAL;
        bind ro "/srv/";
        bind "/tmp/" tmpfs;
    };
}

fn main() {
    assert_eq!(BUILD.hidden().len(), 5);
    assert_eq!(KEEPS.hidden().len(), 3);
}

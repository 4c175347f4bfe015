// `assert readonly`: every host source is mounted read-only, except on or under the
// listed targets. A tmpfs, a union's tmpfs upper and a read-only union never write to
// the host; a writable bind does.
use mountns::Package;

const DATA: &str = "/srv/data";
const LIBC: Package = Package::new("/srv/store/libc", &[]);
const OPENSSL: Package = Package::new("/srv/store/openssl", &[&LIBC]);

mountns::namespace! {
    static DIRECT = {
        bind ro "/usr/";                          // fine
        bind "/tmp/" tmpfs;                       // fine: writes stay in memory
        bind "/etc/" ["/etc/", tmpfs];            // fine: writes stay in its tmpfs
        bind "/opt/" ["/srv/a/", "/srv/b/"];      // fine: a read-only union
        bind "/srv/" "/srv/data/";                // writable
        bind "/proc/";                            // the host's /proc, writable
        bind "/src/" param(PROJECT);              // a run-time source, writable
        bind "/work/" "/srv/work/";               // fine: an exception
        bind "/work/out/" "/srv/out/";            // fine: under an exception
        assert readonly except ["/work/"];
    };

    // Through an include of this invocation, both ways.
    static WRITES = { bind "/cache/" "/srv/cache/"; };
    static STRICT = { assert readonly; };
    static INCLUDES_WRITES = {
        include WRITES;
        assert readonly;
    };
    static INCLUDES_STRICT = {
        include STRICT;
        bind "/log/" "/srv/log/";
    };

    // Across crates: another crate's writable bind, and its assertion over ours.
    static ACROSS = {
        include mountns_support::profiles::assertions::LEAKY;
        assert readonly except ["/dev/"];
    };
    static BIGGER = {
        include mountns_support::profiles::assertions::GUARDED;
        bind "/var/" "/var/";
    };
}

// Only const evaluation knows these sources, after the macro's checks passed: a
// constant is a bind, writable; a package with inputs a read-only union.
mountns::namespace! {
    static CONSTANTS = {
        bind "/data/" DATA;
        bind "/lib/ssl/" OPENSSL;
        bind "/lib/c/" LIBC;
        assert readonly;
    };
}

fn main() {}

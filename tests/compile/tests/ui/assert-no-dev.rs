// `assert no_dev`: no `dev` flag and no host /dev (nor what holds it); the fresh /dev
// of `dev` is fine.
use mountns::Package;

const SHM: &str = "/dev/shm";
const SHARED: Package = Package::new("/dev/shm/shared", &[]);
const APP: Package = Package::new("/srv/store/app", &[&SHARED]);

mountns::namespace! {
    static DIRECT = {
        dev "/dev/";                              // fine: a fresh /dev
        bind dev "/gpu/" "/srv/gpu/";             // the flag
        bind "/host-dev/" "/dev/";                // the host's /dev
        bind ro "/host/" "/";                     // holds the host's /dev
        bind ro "/proc/";                         // reaches it through /proc/1/root
        assert no_dev;
    };

    // Through an include of this invocation, both ways.
    static DEVICES = { bind dev "/gpu/" "/srv/gpu/"; };
    static NONE = { assert no_dev; };
    static INCLUDES_DEVICES = { include DEVICES; assert no_dev; };
    static INCLUDES_NONE = { include NONE; bind ro "/host-dev/" "/dev/"; };

    static ACROSS = {
        include mountns_support::profiles::assertions::LEAKY;
        assert no_dev;
    };
}

// A constant, known once the macro's checks passed.
mountns::namespace! {
    static CONSTANT = {
        bind "/shm/" SHM;
        assert no_dev;
    };

    // A package's input.
    static PACKAGE = {
        bind "/opt/" APP;
        assert no_dev;
    };
}

fn main() {}

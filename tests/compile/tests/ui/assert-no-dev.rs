// `assert no_dev`: no `dev` flag and no host /dev (nor what holds it); the fresh /dev
// of `dev` is fine.
const SHM: &str = "/dev/shm";

mountns::namespace! {
    static DIRECT = {
        dev "/dev/";                              // fine: a fresh /dev
        bind dev "/gpu/" "/srv/gpu/";             // the flag
        bind "/host-dev/" "/dev/";                // the host's /dev
        bind ro "/host/" "/";                     // holds the host's /dev
        bind ro "/proc/";                         // reaches it through /proc/1/root
        assert no_dev;
    };

    static ACROSS = {
        include mountns_helper::assertions::LEAKY;
        assert no_dev;
    };
}

// A constant, known once the macro's checks passed.
mountns::namespace! {
    static CONSTANT = {
        bind "/shm/" SHM;
        assert no_dev;
    };
}

fn main() {}

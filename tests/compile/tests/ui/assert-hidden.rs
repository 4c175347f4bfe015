// `assert hidden`: no host source at, under or above a hidden path; targets are not
// sources.
mountns::namespace! {
    static DIRECT = {
        bind ro "/ci/" "/home/ci/";           // under /home
        bind ro "/host/" "/";                 // holds /home and /root
        bind "/opt/" ["/srv/a/", "/root/b/"]; // a layer under /root
        bind "/home/" tmpfs;                  // a target: fine
        bind ro "/etc/" "/etc/";              // beside: fine
        assert hidden ["/home/", "/root/"];
    };

    static PROCFS = {
        bind ro "/proc/";                     // the host's /proc reaches /home by /proc/1/root
        assert hidden ["/home/"];
    };

    static DEVICES = {
        dev "/dev/";                          // binds the host's /dev/null, ...
        assert hidden ["/dev/null"];
    };
}

fn main() {}

// A constant source is known only to const evaluation: it is checked there, at the
// assertion.
const DATA: &str = "/root/data";
const PROC: &str = "/proc";

mountns::namespace! {
    static DIRECT = {
        bind ro "/data/" DATA;
        assert hidden ["/root/"];
    };

    static HOLDS = {
        bind ro "/srv/" concat!("/", "srv");
        assert hidden ["/srv/secret/"];
    };

    static PROCFS = {
        bind ro "/host-proc/" PROC;
        assert hidden ["/home/"];
    };

    // A profile's assertion holds over an includer's constant.
    static GUARD = { assert hidden ["/root/"]; };
    static BIGGER = {
        include GUARD;
        bind ro "/data/" DATA;
    };
}

fn main() {}

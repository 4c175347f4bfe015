// `proc` and `dev` make directories: a target without a trailing slash is an error
// that says how to write it.
mountns::namespace! {
    static NS = {
        proc "/proc";
        dev "/dev";
        dir "/var/tmp";
    };
}
fn main() {}

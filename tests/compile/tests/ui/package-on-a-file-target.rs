// A package is a directory tree: on a file target it is a compile error, with inputs
// or without; a `&str` constant there may name a file.
use mountns::Package;

const ALONE: Package = Package::new("/srv/store/a", &[]);
const WITH_INPUTS: Package = Package::new("/srv/store/b", &[&ALONE]);
const HOSTS: &str = "/etc/hosts";

mountns::namespace! {
    static NS = {
        bind "/etc/a" ALONE;
        bind "/etc/b" WITH_INPUTS;
        bind "/etc/c" HOSTS;
    };
}
fn main() {}

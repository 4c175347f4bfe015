// A constant bound twice on a file target is one file bind, as alike literals are:
// nothing lies under it, even when only const evaluation finds the two alike.
const HOSTS: &str = "/etc/hosts";

mountns::namespace! {
    static NS = {
        include mountns_support::profiles::constants::HOSTS_FILE;
        bind "/etc/x" HOSTS;
        bind "/etc/x/y/" tmpfs;
    };
}
fn main() {}

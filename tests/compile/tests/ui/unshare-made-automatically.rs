// The mount namespace is always made, the user namespace when unprivileged.
mountns::namespace! {
    static NS = {
        unshare [user];
        unshare [net, mount];
        unshare [mnt];
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        unshare [net, ipc, net];
    };
}
fn main() {}

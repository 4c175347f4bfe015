// `unshare` takes `pid`, `net`, `ipc`, `uts` and `cgroup`.
mountns::namespace! {
    static NS = {
        unshare [net, time];
    };
}
fn main() {}

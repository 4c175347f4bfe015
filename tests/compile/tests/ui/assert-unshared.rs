// `assert unshared [..]`: the composed table makes these namespaces; `proc` implies
// `pid`, `hostname` implies `uts`.
mountns::namespace! {
    static PROFILE = { proc "/proc/"; unshare [ipc]; };
    static NS = {
        include PROFILE;
        bind ro "/usr/";
        assert unshared [pid, ipc, net, uts, cgroup];
    };
}

fn main() {}

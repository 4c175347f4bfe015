// One declaration keeps one list; includes add theirs.
mountns::namespace! {
    static BASE = { caps [net_bind_service]; };
    static FINE = { include BASE; caps [sys_chroot]; };
    static TWICE = {
        caps [net_bind_service];
        caps [sys_chroot];
    };
}

fn main() {}

// `assert caps [..]`: the program keeps at most these capabilities, whatever the table
// and its includes keep.
mountns::namespace! {
    static NONE = { caps [net_bind_service]; assert caps []; };
    static SOME = { caps [sys_admin, net_raw]; assert caps [net_raw]; };
    static PROFILE = { assert caps []; };
    static THROUGH = { include PROFILE; caps [kill]; };
    static KEEPS = { caps [sys_chroot]; };
    static INCLUDED = { include KEEPS; assert caps [kill]; };
    static FINE = { caps [kill]; assert caps [kill, net_raw]; };
    static TYPO = { assert caps [net_rw]; };
}

fn main() {}

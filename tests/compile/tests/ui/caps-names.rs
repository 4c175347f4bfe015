// Capabilities are checked by name, a near one suggested.
mountns::namespace! {
    static TYPO = { caps [sys_admn]; };
    static KERNEL_SPELLING = { caps [CAP_NET_RAW]; };
    static UNKNOWN = { caps [everything]; };
    static TWICE = { caps [kill, kill]; };
    static ALL_AND_MORE = { caps [all, kill]; };
    static EMPTY = { caps []; };
}

fn main() {}

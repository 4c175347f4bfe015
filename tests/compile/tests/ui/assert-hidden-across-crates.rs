// Includes of another crate: its statements are checked against this table's
// assertions, and its assertions hold over this table's statements.
mountns::namespace! {
    static OWN = {
        include mountns_support::profiles::assertions::LEAKY;
        assert hidden ["/home/"];
    };

    static BIGGER = {
        include mountns_support::profiles::assertions::GUARDED;
        bind ro "/root/" "/root/";
        bind ro "/tmp/" "/tmp/";
    };
}

fn main() {}

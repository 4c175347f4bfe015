// Includes of another crate: its statements are checked against this table's
// assertions, and its assertions hold over this table's statements.
mountns::namespace! {
    static OWN = {
        include mountns_helper::assertions::LEAKY;
        assert hidden ["/home/"];
    };

    static BIGGER = {
        include mountns_helper::assertions::GUARDED;
        bind ro "/root/" "/root/";
        bind ro "/tmp/" "/tmp/";
    };
}

fn main() {}

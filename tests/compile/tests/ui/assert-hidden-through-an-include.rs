// Includes of the same invocation: a statement that comes through an include is
// checked, and an assertion that comes through one holds over its includer's statements.
mountns::namespace! {
    static PROFILE = { bind ro "/ci/" "/home/ci/"; };
    static MIDDLE = { include PROFILE; };
    static OWN = {
        include MIDDLE;
        assert hidden ["/home/"];
    };

    static GUARD = { assert hidden ["/home/"]; };
    static BIGGER = {
        include GUARD;
        bind ro "/data/" "/home/data/";
    };
}

fn main() {}

// Two different host names, in one namespace or through an include, name both
// statements; the same name twice merges.
mountns::namespace! {
    static BASE = {
        hostname "box";
    };
    static TWICE = {
        hostname "box";
        hostname "other";
    };
    static INCLUDED = {
        hostname "other";
        include BASE;
    };
    static SAME = {
        include BASE;
        hostname "box";
    };
}
fn main() {}

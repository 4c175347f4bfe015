// A host name is 1 to 64 letters, digits, `-` and `.`.
mountns::namespace! {
    static EMPTY = { hostname ""; };
    static LONG = { hostname "a123456789b123456789c123456789d123456789e123456789f123456789g1234"; };
    static SPACE = { hostname "my box"; };
    static UNDERSCORE = { hostname "my_box"; };
}
fn main() {}

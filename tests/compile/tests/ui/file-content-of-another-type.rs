// A file's content is a `&str`, `&[u8]` or `&[u8; N]` constant: any other type is
// rustc's own type error, at the expression.
const NUMBER: u32 = 7;
const LINES: &[&str] = &["a", "b"];

mountns::namespace! {
    static NS = {
        file "/etc/number" NUMBER;
        file "/etc/lines" LINES;
        file "/etc/char" 'x';
    };
}
fn main() {}

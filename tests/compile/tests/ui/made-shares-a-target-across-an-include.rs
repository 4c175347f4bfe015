// A conflict with an included statement names both, through the include.
mountns::namespace! {
    static BASE = {
        file "/etc/hostname" "box\n";
    };
    static NS = {
        include BASE;
        bind ro "/etc/hostname";
    };
}
fn main() {}

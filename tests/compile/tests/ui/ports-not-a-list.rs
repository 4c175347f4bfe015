mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        landlock;
        connect 443;
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        landlock lax;
    };
}
fn main() {}

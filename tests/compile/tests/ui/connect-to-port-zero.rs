mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        landlock;
        connect [0];
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        landlock;
        connect [443, 53, 443];
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        connect [443];
    };
}
fn main() {}

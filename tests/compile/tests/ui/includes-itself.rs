mountns::namespace! {
    static NS = {
        bind "/usr/";
        include NS;
    };
}
fn main() {}

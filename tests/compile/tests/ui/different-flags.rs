mountns::namespace! {
    static PROFILE = {
        bind ro "/usr/";
    };
    static NS = {
        include PROFILE;
        bind "/usr/";
    };
}
fn main() {}

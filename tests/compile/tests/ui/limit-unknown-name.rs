mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [nofiles(1024)];
    };
}
fn main() {}

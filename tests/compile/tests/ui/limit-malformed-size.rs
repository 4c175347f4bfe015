mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        limit [as("2 GB")];
    };
}
fn main() {}

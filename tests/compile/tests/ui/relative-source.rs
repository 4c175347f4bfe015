mountns::namespace! {
    static NS = {
        bind "/opt/" "srv/a/";
    };
}
fn main() {}

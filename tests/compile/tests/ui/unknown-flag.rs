mountns::namespace! {
    static NS = {
        bind rw "/usr/";
        bind rx "/srv/";
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        bind "/etc/";
        bind "/etc" "/srv/etc";
    };
}
fn main() {}

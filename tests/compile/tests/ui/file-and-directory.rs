mountns::namespace! {
    static NS = {
        bind "/etc/";
        bind "/etc" "/etc";
    };
}
fn main() {}

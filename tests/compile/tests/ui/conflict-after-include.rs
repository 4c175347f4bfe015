mountns::namespace! {
    static NS = {
        include mountns::MINIMAL;
        bind ro "/etc/ssl/certs" "/etc/ssl/certs";
    };
}
fn main() {}

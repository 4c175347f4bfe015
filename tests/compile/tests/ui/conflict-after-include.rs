mountns::namespace! {
    static NS = {
        include mountns::MINIMAL;
        bind "/dev" "/srv/dev-file";
    };
}
fn main() {}

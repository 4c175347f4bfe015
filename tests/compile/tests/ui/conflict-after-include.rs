mountns::namespace! {
    static NS = {
        include mountns::MINIMAL;
        bind "/dev" "/dev";
    };
}
fn main() {}

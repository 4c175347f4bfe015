mountns::namespace! {
    static NS = {
        include mountns_support::profiles::TOOLS;
        bind ro "/usr" "/usr";
    };
}
fn main() {}

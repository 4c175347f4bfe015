mountns::namespace! {
    static NS = {
        include mountns_helper::TOOLS;
        bind ro "/usr" "/usr";
    };
}
fn main() {}

mountns::namespace! {
    static NS = {
        include mountns_helper::TOOLS;
        bind "/tools" "/srv/tools.tar";
    };
}
fn main() {}

// The forms a companion macro sends back are not part of the user's grammar.
mountns::namespace! {
    static NS = {
        include does::not::Exist => { bind "/etc/"; };
        bind "/opt/" @src(0);
        file "/etc/motd" @content(0);
    };
}
mountns::namespace! {
    @mountns_splice [A] { bind "/etc/"; }
    static OTHER = { bind "/usr/"; };
}
fn main() {}

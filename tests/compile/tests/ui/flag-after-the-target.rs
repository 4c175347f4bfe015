// A flag written after the target, alone or in a list of sources, is named as a flag.
mountns::namespace! {
    static NS = {
        bind "/usr/" ro;
        bind "/srv/" ["/srv/a/", noexec];
    };
}
fn main() {}

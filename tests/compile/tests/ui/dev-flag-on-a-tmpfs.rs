// `dev` lets the device nodes of a host source work: it does not apply to a tmpfs
// or a writable union, which hold writes.
mountns::namespace! {
    static NS = {
        bind dev "/tmp/" tmpfs;
        bind dev "/home/" ["/srv/home/", tmpfs];
    };
}
fn main() {}

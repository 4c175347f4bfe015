mountns::namespace! {
    static NS = {
        bind "/etc/hosts";
        bind "/etc/hosts/extra/" tmpfs;
    };
}
fn main() {}

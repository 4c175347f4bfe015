mountns::namespace! {
    static NS = {
        bind ro "/usr/";
        landlock;
        bind_ports [8080, 70000];
    };
}
fn main() {}

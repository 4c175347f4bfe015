mountns::namespace! {
    static NS = {
        bind "/" "/srv/root/";
    };
}
fn main() {}

const OPTIONS: &str = "size=10M";

mountns::namespace! {
    static NS = {
        bind "/tmp/" tmpfs(OPTIONS);
    };
}
fn main() {}

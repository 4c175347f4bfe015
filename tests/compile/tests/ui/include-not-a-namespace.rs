static NOT_A_NAMESPACE: u32 = 7;

mountns::namespace! {
    static NS = {
        include NOT_A_NAMESPACE;
    };
}
fn main() {}

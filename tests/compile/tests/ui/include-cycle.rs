mountns::namespace! {
    static A = {
        include B;
    };
    static B = {
        include C;
    };
    static C = {
        include A;
    };
}
fn main() {}

mod a {
    mountns::namespace! {
        pub static A = {
            include super::b::B;
        };
    }
}
mod b {
    mountns::namespace! {
        pub static B = {
            include super::a::A;
        };
    }
}
fn main() {}

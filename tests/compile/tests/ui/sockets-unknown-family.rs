// An unknown address family, with the nearest name.
mountns::namespace! {
    static BOX = {
        sockets [unix, inet7, bluetoth, frobnicate];
    };
}
fn main() {}

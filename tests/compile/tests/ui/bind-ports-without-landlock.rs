// A `connect` that another invocation includes comes with its `landlock`; a
// `bind_ports` of its own does not.
mod profile {
    mountns::namespace! {
        pub static NET = {
            landlock;
            connect [443];
        };
    }
}

// An included `connect` comes with its `landlock`: this compiles.
mountns::namespace! {
    static FINE = {
        include profile::NET;
    };
}

mountns::namespace! {
    static NS = {
        bind_ports [8080];
    };
}
fn main() {}

//! Package constants from a build script (see `build.rs`), used as the root of a
//! namespace: `cargo run -p mountns-example-packages` prints its table.

mod packages {
    include!(concat!(env!("OUT_DIR"), "/packages.rs"));
}

use mountns::namespace;

namespace! {
    /// The image's layers (the app's on top) over the closure, as the root.
    static IMAGE = {
        bind "/" [packages::APP_LAYER, packages::BASE_LAYER, packages::CLOSURE];
        bind dev "/dev/";
        bind "/proc/";
        bind "/tmp" tmpfs("size=10M");
    };
}

fn main() {
    print!("{IMAGE}");
}

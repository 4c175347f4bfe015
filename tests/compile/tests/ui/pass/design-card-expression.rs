// The design card's example as written: the expression form, lower-case package
// constants, and MINIMAL included by a `use`d name.
#![allow(non_upper_case_globals)]

use mountns::{MINIMAL, Namespace, Package, namespace};

const tzdata: Package = Package::new("/gnu/store/…-tzdata-2024a", &[]);
const certs: Package = Package::new("/gnu/store/…-nss-certs", &[]);

fn main() {
    let ns: &'static Namespace =
        namespace! { bind "/" [tzdata, certs]; bind "/tmp" tmpfs("size=10M"); include MINIMAL; };
    assert_eq!(ns.mounts()[0].target(), c"/");
}

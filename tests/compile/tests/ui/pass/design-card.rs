// The example that defines mountns: the root a union of packages, each bringing its
// propagated inputs, /dev, /proc and the rest nested on it.
use mountns::Package;

const TZDATA: Package = Package::new("/gnu/store/…-tzdata-2024a", &[]);
const OPENSSL: Package = Package::new("/gnu/store/…-openssl-3.0", &[]);
const CERTS: Package = Package::new("/gnu/store/…-nss-certs", &[&OPENSSL]);

mountns::namespace! {
    static NS = {
        bind "/" [TZDATA, CERTS];
        bind "/tmp" tmpfs("size=10M");
        include mountns::MINIMAL;
    };
}

fn main() {
    let targets: Vec<_> = NS.mounts().iter().map(|m| m.target()).collect();
    assert_eq!(targets[..3], [c"/", c"/dev", c"/etc/localtime"]);
    assert!(NS.mounts().iter().any(|m| m.target() == c"/tmp" && m.is_dir()));
}

// Packages stand for themselves and their inputs, depth first, each path once at its
// first (highest) place; from this crate or another.
use mountns::{Kind, Package, Source};
use mountns_support::profiles::packages;

const D: Package = Package::new("/srv/store/d", &[]);
const B: Package = Package::new("/srv/store/b/", &[&D]);
const C: Package = Package::new("/srv/store/c", &[&D]);
// A diamond: A propagates B and C, both propagate D.
const A: Package = Package::new("/srv/store/a", &[&B, &C]);

mountns::namespace! {
    static DIAMOND = {
        bind "/" [A, "/srv/store/c/", tmpfs("size=10M")];
        bind "/usr/" B;
        bind "/opt/" D;
    };
    static ACROSS = {
        include packages::ROOT;
        bind "/tmp" tmpfs("size=10M");
    };
    static THEIRS = {
        bind "/" [packages::OPENSSL, &packages::CERTS];
    };
}

fn lowers(kind: Kind) -> &'static [Source] {
    match kind {
        Kind::Union { lowers, .. } => lowers,
        other => panic!("not a union: {other:?}"),
    }
}

fn main() {
    assert_eq!(
        lowers(DIAMOND.mounts()[0].kind()),
        [c"/srv/store/a", c"/srv/store/b", c"/srv/store/d", c"/srv/store/c"].map(Source::Host)
    );
    assert!(matches!(DIAMOND.mounts()[0].kind(), Kind::Union { upper: Some(_), .. }));
    // A package with inputs is a union; one without, a bind.
    assert_eq!(lowers(DIAMOND.mounts()[2].kind()), [c"/srv/store/b", c"/srv/store/d"].map(Source::Host));
    assert_eq!(DIAMOND.mounts()[1].kind(), Kind::Bind { source: Source::Host(c"/srv/store/d") });
    let store = [c"/srv/store/certs", c"/srv/store/openssl", c"/srv/store/libc"].map(Source::Host);
    assert_eq!(lowers(ACROSS.mounts()[0].kind())[..3], store);
    assert_eq!(lowers(ACROSS.mounts()[0].kind())[3], Source::Host(c"/srv/store/tzdata"));
    assert_eq!(
        lowers(THEIRS.mounts()[0].kind()),
        [c"/srv/store/openssl", c"/srv/store/libc", c"/srv/store/certs"].map(Source::Host)
    );
}

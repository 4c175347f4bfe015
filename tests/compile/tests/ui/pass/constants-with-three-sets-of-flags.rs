// Constants on one target with three sets of flags: each set's sources expanded and
// compared with the others' (none shared here), a union of the three.
const A: &str = "/srv/a";
const B: &str = "/srv/b";
const C: &str = "/srv/c";

mountns::namespace! {
    static NS = { bind ro "/opt/" A; bind noexec "/opt/" B; bind "/opt/" C; };
}

fn main() {
    let mountns::Kind::Union { lowers, .. } = NS.mounts()[0].kind() else {
        panic!("{NS}");
    };
    assert_eq!(lowers, [c"/srv/a", c"/srv/b", c"/srv/c"].map(mountns::Source::Host));
}

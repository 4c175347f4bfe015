use mountns::Package;

const RELATIVE: Package = Package::new("srv/store/a", &[]);
const INNER: Package = Package::new("/srv/store/a/inner", &[]);
const OUTER: Package = Package::new("/srv/store/a", &[&INNER]);
const WITH_INPUTS: Package = Package::new("/srv/store/b", &[&INNER]);

mountns::namespace! {
    static RELATIVE_PACKAGE = { bind "/" [RELATIVE, "/srv/x/"]; };
    static OVERLAPPING_PACKAGES = { bind "/opt/" OUTER; };
    static ON_A_FILE = { bind "/etc/hosts" WITH_INPUTS; };
}
fn main() {}

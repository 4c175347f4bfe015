// Packages are expanded while the crate compiles: an input under a hidden path fails in
// const evaluation, at the assertion, naming the packages it came through.
use mountns::Package;

const LIBC: Package = Package::new("/srv/store/libc", &[]);
const APP: Package = Package::new("/home/ci/app", &[&LIBC]);
const TOOLCHAIN: Package = Package::new("/srv/store/toolchain", &[&LIBC, &APP]);

mountns::namespace! {
    static LOCAL = {
        bind "/opt/" [TOOLCHAIN, "/srv/store/base/"];
        assert hidden ["/home/"];
    };

    // Another crate's packages, through another crate's namespace.
    static ACROSS = {
        include mountns_support::profiles::assertions::TOOLS;
        assert hidden ["/home/"];
    };

    // Another crate's package, named here.
    static NAMED = {
        bind "/opt/" mountns_support::profiles::assertions::TOOLCHAIN;
        assert hidden ["/home/ci/"];
    };
}

fn main() {}

//! Namespaces declared in a crate other than the tests', which include them: includes
//! must work across the crate boundary, constant sources included, and conflicts that
//! only appear across it must still be compile errors (`tests/compile/tests/ui/`).

use mountns::namespace;

/// A source given as a constant: includers read its value from `TOOLS`'s table.
pub const TOOLS_DIR: &str = "/usr/bin";

namespace! {
    /// What `/bin/sh` and coreutils need on a merged-/usr Debian host, `/proc` and
    /// `/dev` included: the tests' base.
    pub static SYSTEM = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
    };

    /// MINIMAL plus read-only system directories.
    pub static BASE = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/etc/"];
    };

    /// Includes BASE: an include chain across two crates.
    pub static TOOLS = {
        include BASE;
        bind ro "/tools/" TOOLS_DIR;
        bind "/scratch/" tmpfs("size=1M");
    };
}

pub mod nested {
    use mountns::namespace;

    namespace! {
        /// Declared in a submodule: included as `mountns_support::profiles::nested::UNION`.
        pub static UNION = {
            bind "/opt/" [concat!("/usr/", "share/"), "/usr/lib/"];
        };
    }
}

pub mod slots {
    use mountns::namespace;

    namespace! {
        /// A source chosen at run time, included across the crate boundary.
        pub static WORKSPACE = {
            bind "/work/" [param(WORK), tmpfs("size=1M")];
        };
    }
}

/// Packages declared in another crate, used as sources across the crate boundary.
pub mod packages {
    use mountns::{Package, namespace};

    pub const LIBC: Package = Package::new("/srv/store/libc/", &[]);
    pub const OPENSSL: Package = Package::new("/srv/store/openssl", &[&LIBC]);
    pub const CERTS: Package = Package::new("/srv/store/certs", &[&OPENSSL, &LIBC]);

    namespace! {
        /// A root of packages: includers read its expanded layers from this table.
        pub static ROOT = {
            bind "/" [CERTS, "/srv/store/tzdata/"];
        };
    }
}

/// The sandbox's statements declared in another crate: includers get its entries and
/// settings, and read a file's content that is not a literal from its table.
pub mod sandbox {
    use mountns::namespace;

    /// Private to this crate: an includer cannot name it, only read the table.
    const MOTD: &[u8] = b"helper\n";

    namespace! {
        /// Fresh /proc and /dev, a host name, a network namespace, links and files.
        pub static BOX = {
            proc "/proc/";
            dev "/dev/";
            unshare [net];
            hostname "box";
            symlink "/lib" "usr/lib";
            file "/etc/helper" MOTD;
            file "/etc/issue" "box\n";
        };
    }
}

/// The README's sandbox ("A sandbox"), which the capability attacks run in and the
/// exposure report describes.
pub mod readme {
    use mountns::namespace;

    namespace! {
        /// Host /usr and its links, a fresh /dev and /proc, a tmpfs /tmp, a host name.
        pub static BOX = {
            bind ro "/usr/";
            symlink "/bin" "usr/bin";
            symlink "/lib" "usr/lib";
            symlink "/lib64" "usr/lib64";
            dev "/dev/";
            proc "/proc/";
            bind "/tmp/" tmpfs("size=64M");
            dir "/var/tmp/";
            file "/etc/hostname" "box\n";
            unshare [net, ipc, uts];
            hostname "box";
        };
    }
}

/// Assertions across the crate boundary: a profile that asserts what its includers must
/// keep, one that exposes what assertions forbid, and packages with an input under
/// `/home`.
pub mod assertions {
    use mountns::{Package, namespace};

    /// A package under a path the tests assert hidden, as the input of another.
    pub const APP: Package = Package::new("/home/ci/app", &[]);
    pub const TOOLCHAIN: Package = Package::new("/srv/store/toolchain", &[&APP]);

    namespace! {
        /// No home directory of the host, read-only host sources, a network of its own,
        /// no host devices: its includers are held to it.
        pub static GUARDED = {
            bind ro "/usr/";
            unshare [net];
            assert hidden ["/home/", "/root/"];
            assert readonly;
            assert unshared [net];
            assert no_dev;
        };

        /// A home directory, a writable host directory, host devices.
        pub static LEAKY = {
            bind ro "/ci/" "/home/ci/";
            bind "/data/" "/srv/data/";
            bind dev "/dev/dri/";
        };

        /// The toolchain and its input, as a union: includers read its expanded layers.
        pub static TOOLS = {
            bind "/opt/" [TOOLCHAIN, "/srv/store/base/"];
        };
    }
}

/// A policy declared in another crate: Landlock with a port, limits and a time limit.
pub mod policy {
    use mountns::namespace;

    namespace! {
        pub static POLICY = {
            bind ro "/usr/";
            landlock;
            connect [443];
            limit [nofile(1024), as("2G")];
            timeout(60);
        };
    }
}

/// Constant sources included across the crate boundary, for the tests that compare one
/// invocation with several (`tests/tables/composition.rs`).
pub mod constants {
    use mountns::{Package, namespace};

    /// A file.
    pub const HOSTS: &str = "/etc/hosts";
    /// A directory.
    pub const ZONES: &str = "/usr/share/zoneinfo";
    /// A package (a directory tree) with an input, of Debian's own files.
    pub const BASE_FILES: Package = Package::new("/usr/share/base-files", &[&DPKG]);
    pub const DPKG: Package = Package::new("/usr/share/dpkg", &[]);

    namespace! {
        /// A file bound from a constant, on a file target.
        pub static HOSTS_FILE = { bind "/etc/x" HOSTS; };
        /// The same, read-only.
        pub static HOSTS_READ_ONLY = { bind ro "/etc/x" HOSTS; };
        /// A directory from a constant, and a package.
        pub static TREES = { bind "/z/" ZONES; bind "/p/" BASE_FILES; };
    }
}

/// Where and with what a program starts, included across the crate boundary.
pub mod starts {
    mountns::namespace! {
        /// Starts in /usr, with one more variable.
        pub static IN_USR = { chdir "/usr/"; env "FROM_HELPER" "1"; };
    }
}

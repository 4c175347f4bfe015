//! Root scenarios that both ways of making an overlay must pass: `tests/unions/root.rs`
//! runs them with the kernel's newest API, `tests/unions/legacy.rs` through mount(2)'s
//! option string. A union
//! on `/` has the skeleton as its lowest layer, so every nested mount finds its
//! mountpoint, and the program runs from the packages' own `/bin`.

use std::fs;

use mountns::{Package, namespace};

use crate::{Fixture, USERS, each_user_is_refused, each_user_sees, sh_in};

/// Package trees the tests make, in Guix's layout: certificates propagate a library.
const TZDATA: Package = Package::new("/tmp/mountns-root/packages/tzdata/", &[]);
const OPENSSL: Package = Package::new("/tmp/mountns-root/packages/openssl", &[]);
const CERTS: Package = Package::new("/tmp/mountns-root/packages/certs", &[&OPENSSL]);
/// The host's `/usr`: its `bin/`, `lib/` and `lib64/` are what `/bin/sh` needs.
const HOST_USR: Package = Package::new("/usr/", &[]);

const CARD_TZDATA: Package = Package::new("/tmp/mountns-root/card/tzdata", &[]);
const CARD_CERTS: Package = Package::new("/tmp/mountns-root/card/certs", &[]);

namespace! {
    /// Packages as the root, with the table nested on top.
    static PACKAGES = {
        bind "/" [TZDATA, CERTS, HOST_USR];
        dev "/dev/";
        bind "/proc/";
        bind "/tmp" tmpfs("size=1M");
        bind ro "/opt/host/" "/tmp/mountns-root/packages/host/";
    };

    /// A writable root: writes land in the tmpfs, the host trees stay as they are.
    static WRITABLE = {
        bind "/" ["/tmp/mountns-root/writable/pkg/", "/usr/", tmpfs("size=10M")];
        bind "/proc/";
    };

    /// A host directory as the root (a container's rootfs): its own directories are
    /// the mountpoints.
    static ROOTFS = {
        bind "/" "/tmp/mountns-root/rootfs/fs/";
        bind ro "/usr/";
        bind "/proc/";
    };

    /// A fresh tmpfs as the root: writable, and the mountpoints made in it.
    static TMPFS = {
        bind "/" tmpfs("size=1M");
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/proc/";
    };

    /// The example that defines mountns, on package trees made here, with the host's
    /// system directories for the shell.
    static CARD = {
        bind "/" [CARD_TZDATA, CARD_CERTS];
        bind "/tmp" tmpfs("size=10M");
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
    };
}

/// A package tree of time zone data and one of certificates, in Guix's layout.
fn packages(fixture: &Fixture) {
    fixture.file("tzdata/share/zoneinfo/Etc/UTC", "TZif\n");
    fixture.file("certs/etc/ssl/certs/package.pem", "PEM\n");
    fixture.file("certs/etc/ssl/package.txt", "certs package\n");
}

pub fn package_union() {
    let fixture = Fixture::at("/tmp/mountns-root/packages");
    packages(&fixture);
    fixture.file("openssl/lib/libssl.txt", "ssl\n");
    fixture.file("host/inside.txt", "host\n");
    let script = "cat /share/zoneinfo/Etc/UTC /etc/ssl/certs/package.pem /opt/host/inside.txt \
                  /lib/libssl.txt && test -d /lib/x86_64-linux-gnu \
                  && test -r /proc/self/status && echo x > /dev/null \
                  && echo tmp > /tmp/t && cat /tmp/t \
                  && ! touch /new 2>/dev/null && ! touch /share/new 2>/dev/null \
                  && grep ' / / ' /proc/self/mountinfo | grep -c overlay";
    each_user_sees(&PACKAGES, script, "TZif\nPEM\nhost\nssl\ntmp\n1\n");
}

pub fn root_bind() {
    let fixture = Fixture::at("/tmp/mountns-root/rootfs");
    fixture.file("fs/etc/hostname", "rootfs\n");
    fixture.dir("fs/usr");
    fixture.dir("fs/proc");
    for (link, to) in [
        ("bin", "usr/bin"),
        ("lib", "usr/lib"),
        ("lib64", "usr/lib64"),
    ] {
        std::os::unix::fs::symlink(to, fixture.path(&format!("fs/{link}"))).unwrap();
    }
    let script = "cat /etc/hostname && test -r /proc/self/status && ls / | tr '\\n' ' '";
    each_user_sees(&ROOTFS, script, "rootfs\nbin etc lib lib64 proc usr ");
}

pub fn tmpfs_root() {
    let script = "echo x > /file && cat /file && ls / | tr '\\n' ' '";
    each_user_sees(&TMPFS, script, "x\nbin file lib lib64 proc usr ");
}

pub fn writable_root() {
    let fixture = Fixture::at("/tmp/mountns-root/writable");
    fixture.file("pkg/data/old", "old\n");
    fixture.file("pkg/share/doc", "doc\n");
    fixture.share("pkg/data");
    fixture.share("pkg/data/old");
    let script = "echo changed > /data/old && echo new > /data/new && mkdir /data/dir \
                  && cat /data/old /data/new /share/doc && test -x /bin/sh";
    each_user_sees(&WRITABLE, script, "changed\nnew\ndoc\n");
    assert_eq!(
        fs::read_to_string(fixture.path("pkg/data/old")).unwrap(),
        "old\n"
    );
    let host: Vec<_> = fs::read_dir(fixture.path("pkg/data")).unwrap().collect();
    assert_eq!(host.len(), 1, "{host:?}");
    assert!(!std::path::Path::new("/usr/data").exists());
}

pub fn design_card() {
    let fixture = Fixture::at("/tmp/mountns-root/card");
    packages(&fixture);
    // The packages' files and MINIMAL's host directories, nested on the union.
    let script = "cat /share/zoneinfo/Etc/UTC /etc/ssl/package.txt \
                  && test -f /usr/share/zoneinfo/Etc/UTC && test -r /etc/localtime \
                  && ls /etc/ssl/certs | grep -q . && test ! -e /etc/ssl/certs/package.pem \
                  && echo x > /dev/null && test -r /proc/self/status \
                  && echo tmp > /tmp/t && cat /tmp/t";
    each_user_sees(&CARD, script, "TZif\ncerts package\ntmp\n");
    // `Command::current_dir` is kept inside the new root.
    for user in USERS {
        let run = sh_in(&CARD, "pwd", user, |command| {
            command.current_dir("/usr/bin");
        });
        assert_eq!(run.stdout, "/usr/bin\n", "{user:?}: {run:#?}");
    }
}

namespace! {
    /// `link` leads under `a`: two paths the macro cannot tell apart from any other.
    static OVERLAPPING = {
        bind "/" [
            "/tmp/mountns-root/overlap/c/",
            "/tmp/mountns-root/overlap/a/",
            "/tmp/mountns-root/overlap/link/",
        ];
    };
}

/// overlayfs refuses a layer under another (ELOOP): the error names both.
pub fn overlapping_layers(route: &str) {
    let fixture = Fixture::at("/tmp/mountns-root/overlap");
    fixture.file("a/b/file", "b\n");
    fixture.file("c/file", "c\n");
    std::os::unix::fs::symlink("a/b", fixture.path("link")).unwrap();
    let stderr = format!(
        "mountns: union \"/tmp/mountns-root/overlap/link\" on \"/\": {route}: layers \
         \"/tmp/mountns-root/overlap/link\" and \"/tmp/mountns-root/overlap/a\" overlap (one \
         is or lies under the other), which overlayfs refuses; drop one\n"
    );
    each_user_is_refused(&OVERLAPPING, &fixture, 40, &stderr);
}

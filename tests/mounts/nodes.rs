//! `symlink`, `dir` and `file`: in the new root, in a tmpfs, in a writable union, on a
//! union on `/`, and over a host file; a link an attacker planted on their path is
//! refused, never followed. As root and as uid 65534; nothing is mounted here.

use std::fs;
use std::os::unix::fs::symlink;

use mountns::namespace;

use mountns_support::*;

namespace! {
    /// Debian's merged /usr: /bin, /lib and /lib64 as links into it.
    static MERGED = {
        bind ro "/usr/";
        symlink "/bin" "usr/bin";
        symlink "/lib" "usr/lib";
        symlink "/lib64" "usr/lib64";
    };

    /// The same links in the skeleton of a read-only union on `/`.
    static READ_ONLY_ROOT = {
        bind "/" ["/tmp/mountns-runtime/nodes-root/a/", "/tmp/mountns-runtime/nodes-root/b/"];
        bind ro "/usr/";
        dir "/empty/";
        symlink "/bin" "usr/bin";
        symlink "/lib" "usr/lib";
        symlink "/lib64" "usr/lib64";
    };

    /// And made in a writable union on `/`, when their turn comes.
    static WRITABLE_ROOT = {
        bind "/" ["/tmp/mountns-runtime/nodes-root/a/", tmpfs];
        bind ro "/usr/";
        dir "/empty/";
        symlink "/bin" "usr/bin";
        symlink "/lib" "usr/lib";
        symlink "/lib64" "usr/lib64";
    };
}

#[test]
fn links_in_the_new_root_resolve() {
    each_user_sees(
        &MERGED,
        "readlink /bin /lib /lib64; LC_ALL=C ls /; test -x /lib/../bin/sh && echo sh",
        "usr/bin\nusr/lib\nusr/lib64\nbin\nlib\nlib64\nusr\nsh\n",
    );
}

#[test]
fn links_and_dirs_on_a_union_on_the_root() {
    let fixture = Fixture::at("/tmp/mountns-runtime/nodes-root");
    fixture.file("a/a.txt", "A\n");
    fixture.file("b/b.txt", "B\n");
    let script = "readlink /bin /lib /lib64; test -d /empty && echo empty; cat /a.txt";
    each_user_sees(
        &READ_ONLY_ROOT,
        script,
        "usr/bin\nusr/lib\nusr/lib64\nempty\nA\n",
    );
    each_user_sees(
        &WRITABLE_ROOT,
        script,
        "usr/bin\nusr/lib\nusr/lib64\nempty\nA\n",
    );
    // The writable union wrote them to its upper, not to the host's layer.
    assert_eq!(fs::read_dir(fixture.path("a")).unwrap().count(), 1);
}

#[test]
fn links_and_dirs_in_a_tmpfs() {
    let ns = namespace! {
        include BASE;
        bind "/t/" tmpfs;
        dir "/t/d/e/";
        symlink "/t/a/l" "../d";
    };
    let script = "readlink /t/a/l; test -d /t/a/l/e && echo through; \
                  echo x > /t/d/e/f && cat /t/d/e/f";
    each_user_sees(ns, script, "../d\nthrough\nx\n");
}

#[test]
fn links_dirs_and_files_in_a_writable_union() {
    let fixture = Fixture::at("/tmp/mountns-runtime/nodes-union");
    fixture.file("layer/host.txt", "host\n");
    let ns = namespace! {
        include BASE;
        bind "/w/" ["/tmp/mountns-runtime/nodes-union/layer/", tmpfs];
        dir "/w/new/sub/";
        file "/w/f" "declared\n";
        symlink "/w/l" "host.txt";
    };
    let script = "cat /w/l; test -d /w/new/sub && echo dir; cat /w/f; LC_ALL=C ls /w";
    each_user_sees(ns, script, "host\ndir\ndeclared\nf\nhost.txt\nl\nnew\n");
    assert_eq!(fs::read_dir(fixture.path("layer")).unwrap().count(), 1);
}

#[test]
fn a_dir_in_the_new_root_is_read_only() {
    let ns = namespace! {
        include BASE;
        dir "/var/tmp/";
    };
    let script = "test -d /var/tmp && echo dir; touch /var/tmp/x 2>&1 | grep -c Read-only";
    each_user_sees(ns, script, "dir\n1\n");
}

/// Bytes that are not text.
const BYTES: &[u8] = b"\x00\x01bytes\xff";

#[test]
fn files_hold_their_content_read_only_even_for_root() {
    let fixture = Fixture::at("/tmp/mountns-runtime/nodes-files");
    fixture.file("host/conf", "host\n");
    fixture.file("host/other", "other\n");
    let ns = namespace! {
        include BASE;
        file "/etc/hostname" "box\n";
        bind "/h/" "/tmp/mountns-runtime/nodes-files/host/";
        file "/h/conf" "inside\n";
        bind "/t/" tmpfs;
        file "/t/empty" "";
        file "/t/sub/bytes" BYTES;
    };
    let script = "cat /etc/hostname /h/conf /h/other; od -An -tx1 /t/sub/bytes; \
                  wc -c < /t/empty; stat -c %a /etc/hostname; \
                  { echo x > /etc/hostname; echo x > /h/conf; echo x > /t/empty; } 2>&1; \
                  chmod u+w /t/sub/bytes 2>&1; true";
    let seen = "box\ninside\nother\n 00 01 62 79 74 65 73 ff\n0\n444\n";
    for (user, run) in each_user(ns, script, 0, seen) {
        // Root too: the mount is read-only, whatever the file's mode and owner.
        let refused = run.stdout.matches(": Read-only file system\n").count();
        assert_eq!(refused, 4, "{user:?}: {run:#?}");
    }
    assert_eq!(
        fs::read_to_string(fixture.path("host/conf")).unwrap(),
        "host\n"
    );
}

#[test]
fn a_link_planted_on_the_way_is_refused_never_followed() {
    let fixture = Fixture::at("/tmp/mountns-runtime/planted");
    let canary = fixture.file("canary/file", "canary\n");
    fixture.dir("layer");
    symlink(fixture.path("canary"), fixture.path("layer/a")).unwrap();
    symlink(&canary, fixture.path("layer/f")).unwrap();
    let below = "is a symbolic link inside the new root; bind its target instead\n";
    let exists = "File exists (os error 17); dir and symlink make new paths only, and \
                  something is already there (in a layer of a union, or made by another \
                  entry)\n";
    let cases = [
        (
            namespace! {
                include BASE;
                bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
                dir "/w/a/b/";
            },
            40,
            format!("mountns: dir on \"/w/a/b\": create: \"/w/a\" {below}"),
        ),
        (
            namespace! {
                include BASE;
                bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
                symlink "/w/a/l" "x";
            },
            40,
            format!("mountns: symlink on \"/w/a/l\": create: \"/w/a\" {below}"),
        ),
        (
            namespace! {
                include BASE;
                bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
                file "/w/a/f" "x";
            },
            40,
            format!("mountns: file on \"/w/a/f\": open mountpoint: \"/w/a\" {below}"),
        ),
        (
            namespace! {
                include BASE;
                bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
                dir "/w/a/";
            },
            17,
            format!("mountns: dir on \"/w/a\": create: {exists}"),
        ),
        (
            namespace! {
                include BASE;
                bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
                symlink "/w/f" "x";
            },
            17,
            format!("mountns: symlink on \"/w/f\": create: {exists}"),
        ),
    ];
    for (ns, errno, stderr) in cases {
        each_user_is_refused(ns, &fixture, errno, &stderr);
    }
    // A file over the planted link covers the link; what it pointed to is untouched.
    let ns = namespace! {
        include BASE;
        bind "/w/" ["/tmp/mountns-runtime/planted/layer/", tmpfs];
        file "/w/f" "declared\n";
    };
    each_user_sees(ns, "cat /w/f", "declared\n");
    assert_eq!(fs::read_to_string(&canary).unwrap(), "canary\n");
    assert_eq!(fs::read_dir(fixture.path("canary")).unwrap().count(), 1);
}

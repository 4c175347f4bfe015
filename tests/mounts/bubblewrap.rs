//! bubblewrap's own test cases (its `tests/test-run.sh`, v0.11.1) for modes, files
//! from data, descriptor sources, persistent unions, pid 1 and `/dev/core`, in
//! mountns's terms: the same assertion on the same shapes, as root and as uid 65534.
//! Where mountns differs on purpose (a default, a host directory it never writes to),
//! the case says so and asserts mountns's behaviour; README's "Compared with
//! bubblewrap" lists each difference.

use std::fs::File;

use mountns::{Params, namespace};
use mountns_support::scenarios::uppers;
use mountns_support::{BASE, Fixture, USERS, each_user_sees, sh_stdout};

namespace! {
    static DEV = {
        include BASE;
        dev "/dev/";
        proc "/proc/";
    };
}

#[test]
fn all_expected_devices_were_created() {
    // `--unshare-pid --dev /dev ls -al /dev/{stdin,...,fd,core}`.
    let script = "ls -al /dev/stdin /dev/stdout /dev/stderr /dev/null /dev/random \
                  /dev/urandom /dev/fd /dev/core >/dev/null && echo listed";
    each_user_sees(&DEV, script, "listed\n");
}

namespace! {
    static PID_1 = {
        include BASE;
        proc "/proc/";
        as_pid_1;
    };
}

#[test]
fn can_run_as_pid_1() {
    // `--unshare-pid --as-pid-1 bash -c 'echo $$'` says 1.
    each_user_sees(&PID_1, "echo $$", "1\n");
}

#[test]
fn we_have_no_caps() {
    // As uid != 0, with and without `--as-pid-1`: `getpcaps 1` shows no capability.
    // bubblewrap as root keeps root's; mountns drops them unless `caps [..]` keeps them.
    for ns in [&DEV, &PID_1] {
        // By its path: /usr/sbin is not in an ordinary user's PATH on Debian.
        each_user_sees(ns, "/usr/sbin/getpcaps 1 2>&1", "1: =\n");
    }
}

namespace! {
    /// `--perms 1741 --dir`, `--dir`, `--dir` then `--chmod 1755` (one statement here),
    /// in the new root and in a tmpfs. bubblewrap's `--dir` on an existing directory
    /// keeps its mode; mountns never makes a `dir` over something already there.
    static EXPLICIT = {
        include BASE;
        dir "/r/new-dir-set-perms/" mode(1741);
        dir "/r/new-dir-default-perms/";
        dir "/r/dir-chmod/" mode(1755);
        bind "/t/" tmpfs;
        dir "/t/new-dir-set-perms/" mode(1741);
        dir "/t/new-dir-default-perms/";
        dir "/t/dir-chmod/" mode(1755);
    };
}

#[test]
fn directories_created_explicitly_have_expected_permissions() {
    for root in ["/r", "/t"] {
        let script =
            format!("cd {root} && stat -c %a new-dir-default-perms new-dir-set-perms dir-chmod");
        each_user_sees(&EXPLICIT, &script, "755\n1741\n1755\n");
    }
}

namespace! {
    /// The parents of bubblewrap's case: `--perms M --dir parent-of-M/dir` for each M,
    /// in the new root (made with the skeleton) and in a tmpfs (made when entering).
    static PARENTS_IN_ROOT = {
        include BASE;
        bind "/t/" tmpfs;
        dir "/r/parent/dir/";
        dir "/r/parent-of-1777/dir/" mode(1777);
        dir "/r/parent-of-0755/dir/" mode(0755);
        dir "/r/parent-of-0644/dir/" mode(0644);
        dir "/r/parent-of-0750/dir/" mode(0750);
        dir "/r/parent-of-0710/dir/" mode(0710);
        dir "/r/parent-of-0720/dir/" mode(0720);
        dir "/r/parent-of-0640/dir/" mode(0640);
        dir "/r/parent-of-0700/dir/" mode(0700);
        dir "/r/parent-of-0600/dir/" mode(0600);
        dir "/r/parent-of-0705/dir/" mode(0705);
        dir "/r/parent-of-0604/dir/" mode(0604);
        dir "/r/parent-of-0000/dir/" mode(0000);
    };
    static PARENTS_IN_TMPFS = {
        include BASE;
        bind "/t/" tmpfs;
        dir "/t/parent/dir/";
        dir "/t/parent-of-1777/dir/" mode(1777);
        dir "/t/parent-of-0755/dir/" mode(0755);
        dir "/t/parent-of-0644/dir/" mode(0644);
        dir "/t/parent-of-0750/dir/" mode(0750);
        dir "/t/parent-of-0710/dir/" mode(0710);
        dir "/t/parent-of-0720/dir/" mode(0720);
        dir "/t/parent-of-0640/dir/" mode(0640);
        dir "/t/parent-of-0700/dir/" mode(0700);
        dir "/t/parent-of-0600/dir/" mode(0600);
        dir "/t/parent-of-0705/dir/" mode(0705);
        dir "/t/parent-of-0604/dir/" mode(0604);
        dir "/t/parent-of-0000/dir/" mode(0000);
    };
}

#[test]
fn directories_created_as_parents_have_expected_permissions() {
    let expected = "755 parent\n755 parent-of-1777\n755 parent-of-0755\n755 parent-of-0644\n\
                    750 parent-of-0750\n750 parent-of-0710\n750 parent-of-0720\n\
                    750 parent-of-0640\n700 parent-of-0700\n700 parent-of-0600\n\
                    705 parent-of-0705\n705 parent-of-0604\n700 parent-of-0000\n";
    let script = |root: &str| {
        format!(
            "cd {root} && stat -c '%a %n' parent parent-of-1777 parent-of-0755 \
             parent-of-0644 parent-of-0750 parent-of-0710 parent-of-0720 parent-of-0640 \
             parent-of-0700 parent-of-0600 parent-of-0705 parent-of-0604 parent-of-0000"
        )
    };
    for (ns, root) in [(&PARENTS_IN_ROOT, "/r"), (&PARENTS_IN_TMPFS, "/t")] {
        each_user_sees(ns, &script(root), expected);
    }
}

namespace! {
    static TMPFS = {
        include BASE;
        bind "/set/" tmpfs("mode=01777");
        bind "/bwrap-default/" tmpfs("mode=0755");
        bind "/default/" tmpfs;
    };
}

#[test]
fn tmpfs_has_expected_permissions() {
    // `--perms 01777 --tmpfs` is 1777, `--tmpfs` 755. mountns's default is the
    // kernel's, 1777 (the program may run as another user than the one who mounts).
    each_user_sees(
        &TMPFS,
        "stat -c %a /set /bwrap-default /default",
        "1777\n755\n1777\n",
    );
}

namespace! {
    static FILES = {
        include BASE;
        file rw "/tmp/file" "";
        file rw "/tmp/file-640" "" mode(0640);
        file rw "/tmp/bind-data" param(DATA);
        file rw "/tmp/bind-data-640" param(DATA) mode(0640);
        file "/tmp/ro-bind-data" param(DATA);
        file "/tmp/ro-bind-data-640" param(DATA) mode(0640);
    };
}

#[test]
fn files_have_expected_permissions() {
    // `--file 0 /tmp/file` (666; mountns's `file rw` is 644, its own user's), `--perms
    // 0640` with each (640), `--bind-data` and `--ro-bind-data` (600; mountns's
    // read-only file is 444, its writable one 644).
    for user in USERS {
        let params = Params::new().set_content("DATA", "");
        let script = "cd /tmp && stat -c '%a %n' file file-640 bind-data bind-data-640 \
                      ro-bind-data ro-bind-data-640";
        assert_eq!(
            sh_stdout(FILES.with(params), script, user),
            "644 file\n640 file-640\n644 bind-data\n640 bind-data-640\n444 ro-bind-data\n\
             640 ro-bind-data-640\n",
            "{user:?}"
        );
    }
}

namespace! {
    static BIND_FD = {
        include BASE;
        bind "/tmp/" param(HERE);
    };
}

#[test]
fn bind_fd() {
    // `--bind-fd 100 /tmp cat /tmp/file-data 100< .`
    let fixture = Fixture::at("/tmp/mountns-bubblewrap/bind-fd");
    fixture.file("file-data", "foobar\n");
    for user in USERS {
        let here = File::open(fixture.path("")).unwrap();
        let params = Params::new().set_fd("HERE", here);
        assert_eq!(
            sh_stdout(BIND_FD.with(params), "cat /tmp/file-data", user),
            "foobar\n"
        );
    }
}

#[test]
fn overlay() {
    // `--overlay-src lower1 --overlay-src lower2 --overlay upper work /tmp/x/y/z`, and
    // `--overlay` without `--overlay-src` (a compile error here:
    // `tests/compile/tests/ui/upper-mistakes.rs`).
    for user in USERS {
        uppers::writes_persist(user);
    }
}

#[test]
fn overlay_path_escaping() {
    for user in USERS {
        uppers::escaped_names(user);
    }
}

//! Modes: `dir` and `file` with `mode(..)`, the defaults, the parents mountns makes for
//! them (bubblewrap's rule), and who owns what is made for the program. Entered for
//! real, as root and as uid 65534, and as root running the program as uid 65534.

use std::process::Command;

use mountns::{CommandExt as _, Ids, namespace};
use mountns_support::{BASE, each_user_sees, root_or_skip};

namespace! {
    /// Directories and files with and without modes, in the new root and in a tmpfs.
    static MODES = {
        include BASE;
        dir "/var/tmp/" mode(1777);
        dir "/opt/default/";
        dir "/opt/secret/" mode(0700);
        bind "/t/" tmpfs;
        dir "/t/sticky/" mode(1777);
        dir "/t/group/" mode(2750);
        dir "/t/a/b/" mode(0710);
        dir "/t/p/q/" mode(0600);
        file "/t/f" "f\n" mode(0640);
        file rw "/t/w" "w\n";
        file "/etc/ro" "ro\n";
        bind "/t/m/n/" tmpfs;
    };
}

/// `stat` of each path: mode, then name.
const STAT: &str = "stat -c '%a %n' /var/tmp /opt /opt/default /opt/secret /t/sticky /t/group \
                    /t/a /t/a/b /t/p /t/p/q /t/f /t/w /etc/ro /t/m";

const MODES_SEEN: &str = "1777 /var/tmp\n755 /opt\n755 /opt/default\n700 /opt/secret\n\
                          1777 /t/sticky\n2750 /t/group\n750 /t/a\n710 /t/a/b\n700 /t/p\n\
                          600 /t/p/q\n640 /t/f\n644 /t/w\n444 /etc/ro\n755 /t/m\n";

#[test]
fn dirs_files_and_their_parents_have_their_modes() {
    each_user_sees(&MODES, STAT, MODES_SEEN);
}

#[test]
fn the_table_shows_the_modes() {
    let table = MODES.to_string();
    for line in [
        "dir /var/tmp/ dir mode=1777\n",
        "dir /opt/default/ dir defaults\n",
        "file /t/f file ro,nosuid,nodev,noexec,size=2,mode=0640\n",
        "file /t/w file nosuid,nodev,noexec,size=2\n",
    ] {
        assert!(table.contains(line), "{line} in\n{table}");
    }
    let row = |target: &str| {
        MODES
            .mounts()
            .iter()
            .find(|mount| mount.target().to_bytes() == target.as_bytes())
            .unwrap()
    };
    assert_eq!(row("/t/group").mode(), Some(0o2750));
    assert_eq!(row("/opt/default").mode(), None);
    assert!(row("/t/w").flags().is_rw() && !row("/t/f").flags().is_rw());
}

#[test]
fn the_new_root_stays_read_only_whatever_a_dirs_mode() {
    // A mode is what `stat` shows and what applies where writes go (a tmpfs); the new
    // root itself takes none.
    let script = "touch /var/tmp/x 2>&1 | grep -c Read-only; \
                  touch /t/sticky/x && echo written";
    each_user_sees(&MODES, script, "1\nwritten\n");
}

#[test]
fn what_is_made_for_the_program_is_its_users_under_namespace_as() {
    if !root_or_skip("namespace_as switches ids, which only root can") {
        return;
    }
    // Root enters, then runs the program as 65534: the dirs and files the table
    // declares, and the parents made only for them, are the program's; a parent on the
    // way to a mountpoint stays root's.
    let script = "stat -c '%u:%g %a %n' /opt/secret /t/p /t/p/q /t/group /t/w /etc/ro /t/m; \
                  echo more >> /t/w && cat /t/w; ls /t/p/q && echo listed";
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .output_in_as(&MODES, Ids::new(65534, 65534))
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "65534:65534 700 /opt/secret\n65534:65534 700 /t/p\n65534:65534 600 /t/p/q\n\
         65534:65534 2750 /t/group\n\
         65534:65534 644 /t/w\n65534:65534 444 /etc/ro\n0:0 755 /t/m\nw\nmore\nlisted\n",
        "{output:?}"
    );
}

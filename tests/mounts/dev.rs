//! `dev`: a fresh /dev holding the listed entries and nothing else of the host's, as
//! root and as uid 65534. Nothing is mounted in this process.

use std::fs;

use mountns::namespace;

use mountns_support::*;

namespace! {
    /// A fresh /dev; the host's /proc for the links into /proc/self/fd.
    static DEV = {
        include BASE;
        dev "/dev/";
        bind "/proc/";
    };

    /// Keeping the capability to make device nodes.
    static DEV_MKNOD = {
        include DEV;
        caps [mknod];
    };
}

#[test]
fn dev_holds_exactly_the_listed_entries() {
    let script = "LC_ALL=C ls -A /dev /dev/pts; \
                  for n in null zero full random urandom tty; do stat -c '%n %F %t:%T' /dev/$n; done; \
                  readlink /dev/ptmx /dev/core /dev/fd /dev/stdin /dev/stdout /dev/stderr; \
                  find /dev -type b | wc -l; test -e /dev/kmsg || echo no-kmsg; \
                  head -c 1 /dev/core >/dev/null 2>&1 || echo core-unreadable";
    each_user_sees(
        &DEV,
        script,
        "/dev:\ncore\nfd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n\n\
         /dev/pts:\nptmx\n\
         /dev/null character special file 1:3\n\
         /dev/zero character special file 1:5\n\
         /dev/full character special file 1:7\n\
         /dev/random character special file 1:8\n\
         /dev/urandom character special file 1:9\n\
         /dev/tty character special file 5:0\n\
         pts/ptmx\n/proc/kcore\n/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2\n\
         0\nno-kmsg\ncore-unreadable\n",
    );
}

#[test]
fn the_nodes_work() {
    let script = "echo x > /dev/null && echo null; \
                  head -c 4 /dev/zero | od -An -tx1; \
                  echo x 2>/dev/null > /dev/full || echo full; \
                  head -c 16 /dev/urandom | wc -c; head -c 16 /dev/random | wc -c; \
                  echo through-stdin | cat /dev/stdin";
    each_user_sees(
        &DEV,
        script,
        "null\n 00 00 00 00\nfull\n16\n16\nthrough-stdin\n",
    );
}

#[test]
fn shm_is_writable_and_not_the_hosts() {
    let pid = std::process::id();
    let host = format!("/dev/shm/mountns-host-{pid}");
    fs::write(&host, "host\n").unwrap();
    let inside = format!("mountns-inside-{pid}");
    let script = format!(
        "ls -A /dev/shm; echo x > /dev/shm/{inside} && cat /dev/shm/{inside}; \
         touch /dev/new 2>&1 | grep -c 'Read-only'"
    );
    each_user_sees(&DEV, &script, "x\n1\n");
    fs::remove_file(&host).unwrap();
    assert!(!fs::exists(format!("/dev/shm/{inside}")).unwrap());
}

#[test]
fn a_pty_can_be_opened() {
    // openpty(3): open /dev/ptmx, unlock, open the pts it names.
    let script = "python3 -c \"import os; m, s = os.openpty(); \
                  print(os.ttyname(s).startswith('/dev/pts/')); os.write(m, b'hi\\n'); \
                  print(os.read(s, 3))\"";
    each_user_sees(&DEV, script, "True\nb'hi\\n'\n");
}

#[test]
fn mountinfo_shows_the_flags() {
    for user in USERS {
        let run = sh(&DEV, "cat /proc/self/mountinfo", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let under_dev: Vec<&str> = run
            .stdout
            .lines()
            .map(|line| line.split(' ').nth(4).unwrap())
            .filter(|mountpoint| mountpoint.starts_with("/dev"))
            .collect();
        assert_eq!(
            under_dev,
            [
                "/dev",
                "/dev/null",
                "/dev/zero",
                "/dev/full",
                "/dev/random",
                "/dev/urandom",
                "/dev/tty",
                "/dev/pts",
                "/dev/shm"
            ],
            "{user:?}"
        );
        // The host's nodes are on whatever its /dev is: no type for them.
        let check = |mountpoint: &str, fstype: Option<&str>, set: &[&str], unset: &[&str]| {
            let (options, found) = mount_of(&run.stdout, mountpoint).unwrap();
            if let Some(fstype) = fstype {
                assert_eq!(found, fstype, "{user:?}: {mountpoint}");
            }
            for option in set {
                assert!(
                    options.contains(option),
                    "{user:?}: {mountpoint} {options:?}"
                );
            }
            for option in unset {
                assert!(
                    !options.contains(option),
                    "{user:?}: {mountpoint} {options:?}"
                );
            }
        };
        check(
            "/dev",
            Some("tmpfs"),
            &["ro", "nosuid", "nodev", "noexec"],
            &[],
        );
        for node in ["null", "zero", "full", "random", "urandom", "tty"] {
            check(
                &format!("/dev/{node}"),
                None,
                &["nosuid", "noexec"],
                &["nodev"],
            );
        }
        check("/dev/pts", Some("devpts"), &["rw", "nosuid", "noexec"], &[]);
        check("/dev/shm", Some("tmpfs"), &["rw", "nosuid", "nodev"], &[]);
    }
}

#[test]
fn entries_under_dev_are_made_in_its_tmpfs() {
    let ns = namespace! {
        include BASE;
        dev "/dev/";
        bind "/dev/custom/" tmpfs;
        dir "/dev/empty/";
        symlink "/dev/kcore" "/proc/kcore";
    };
    let script = "readlink /dev/kcore; test -d /dev/empty && echo empty; \
                  echo x > /dev/custom/f && cat /dev/custom/f; \
                  touch /dev/new 2>&1 | grep -c 'Read-only'";
    each_user_sees(ns, script, "/proc/kcore\nempty\nx\n1\n");
}

#[test]
fn a_device_node_made_in_shm_or_pts_opens_nothing() {
    // Root keeping CAP_MKNOD may make a node but not open it: /dev/shm is nodev. uid
    // 65534 may make none (its user namespace's CAP_MKNOD makes no device). devpts
    // makes its own nodes only. Without `caps [mknod]`, root makes none either.
    let script = "mknod /dev/shm/null c 1 3 2>/dev/null && echo made; \
                  { echo x > /dev/shm/null; } 2>&1 | grep -c 'Permission denied'; \
                  mknod /dev/pts/null c 1 3 2>/dev/null || echo refused";
    for user in USERS {
        let run = sh(&DEV, script, user);
        assert_eq!(run.stdout, "0\nrefused\n", "{user:?}: {run:#?}");
        let run = sh(&DEV_MKNOD, script, user);
        let made = if user == User::Root { "made\n" } else { "" };
        let opened = if user == User::Root { "1\n" } else { "0\n" };
        assert_eq!(
            run.stdout,
            format!("{made}{opened}refused\n"),
            "{user:?}: {run:#?}"
        );
    }
}

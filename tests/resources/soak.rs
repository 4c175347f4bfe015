//! Soak: 10,000 namespaces entered and left as root and 10,000 as uid 65534, within a
//! deadline; afterwards this process has the same mounts, descriptors and threads as
//! before, and no child left (running or zombie).
//!
//! Ignored by default; run it with
//! `cargo test --release --test soak -- --ignored --nocapture`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mountns::{CommandExt, namespace};
use mountns_support::{USERS, User, as_user};

const ENTRIES: u32 = 10_000;
const DEADLINE: Duration = Duration::from_mins(5);
const FIXTURES: &str = "/tmp/mountns-soak";

namespace! {
    /// Every kind of mount.
    static SOAK = {
        include mountns::MINIMAL;
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        bind "/tmp/" tmpfs("size=1M");
        bind "/tmp/data/" "/tmp/mountns-soak/data/";
        bind "/u/" ["/tmp/mountns-soak/data/", tmpfs("size=1M")];
        bind "/r/" ["/tmp/mountns-soak/data/", "/usr/share/zoneinfo/"];
    };
}

/// Counts the entries of a directory of /proc.
fn count(dir: &str) -> usize {
    fs::read_dir(dir).unwrap().count()
}

/// The processes whose parent is this one, zombies included.
fn children() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut children = Vec::new();
    for entry in fs::read_dir("/proc").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A process may be gone by now.
        let Ok(stat) = fs::read_to_string(format!("/proc/{name}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        if after.split(' ').nth(1) == Some(me.as_str()) {
            children.push(stat);
        }
    }
    children
}

#[test]
#[ignore = "takes a minute or more; run with --ignored"]
fn ten_thousand_namespaces_leave_nothing_behind() {
    let _ = fs::remove_dir_all(FIXTURES);
    fs::create_dir_all(format!("{FIXTURES}/data")).unwrap();
    fs::write(format!("{FIXTURES}/data/file"), "data\n").unwrap();
    for dir in [FIXTURES, &format!("{FIXTURES}/data")] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let fds = count("/proc/self/fd");
    let threads = count("/proc/self/task");
    assert_eq!(children(), Vec::<String>::new());
    let start = Instant::now();
    let deadline = start + DEADLINE;
    // One thread a user, both at once.
    let timings: Vec<(User, Duration)> = std::thread::scope(|scope| {
        let workers: Vec<_> = USERS
            .into_iter()
            .map(|user| {
                scope.spawn(move || {
                    let began = Instant::now();
                    for n in 0..ENTRIES {
                        assert!(Instant::now() < deadline, "{user:?}: deadline after {n}");
                        // Now and then a shell that uses every mount; /bin/true otherwise.
                        let mut command = if n % 1000 == 0 {
                            let mut sh = Command::new("/bin/sh");
                            sh.args([
                                "-c",
                                "cat /tmp/data/file /r/file >/dev/null && echo x > /u/new \
                                 && echo y > /tmp/new && test -c /dev/null",
                            ]);
                            sh
                        } else {
                            Command::new("/bin/true")
                        };
                        command
                            .stdin(Stdio::null())
                            .stdout(Stdio::null())
                            .namespace(&SOAK);
                        let status = as_user(&mut command, user).status().unwrap();
                        assert!(status.success(), "{user:?}, entry {n}: {status}");
                    }
                    (user, began.elapsed())
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    for (user, time) in &timings {
        println!(
            "{user:?}: {ENTRIES} entries in {:.1} s ({:.2} ms each)",
            time.as_secs_f64(),
            time.as_secs_f64() * 1000.0 / f64::from(ENTRIES)
        );
    }
    println!("all: {:.1} s", elapsed.as_secs_f64());
    let _ = fs::remove_dir_all(FIXTURES);
    assert_eq!(
        fs::read_to_string("/proc/self/mountinfo").unwrap(),
        mountinfo,
        "the host's mounts changed"
    );
    assert_eq!(count("/proc/self/fd"), fds, "descriptors leaked");
    assert_eq!(count("/proc/self/task"), threads, "threads left");
    assert_eq!(children(), Vec::<String>::new(), "children left");
}

//! A root launcher that runs the sandboxed program as another user. The attack: a
//! process of that user polls the child between fork and exec, when it still holds a
//! copy of the root parent's memory and descriptors, through `/proc/PID/mem` and
//! `pidfd_getfd`. mountns must never make such a child dumpable: `Command::uid` with
//! `namespace` is refused, naming `namespace_as`, which enters as root and switches
//! ids afterwards.

use std::fs::{self, File};
use std::os::unix::fs::{FileExt as _, PermissionsExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mountns::{CommandExt as _, Ids, Step, namespace};
use mountns_support::{User, as_user, described, rerun, role, root_or_skip, this_binary};
use rustix::process::{Pid, PidfdFlags, PidfdGetfdFlags, pidfd_getfd, pidfd_open};

const FIXTURES: &str = "/tmp/mountns-privileges";
const ATTACKED: &str = "MOUNTNS_PRIVILEGES_ATTACKED";

namespace! {
    static NS = {
        include mountns_support::profiles::SYSTEM;
        bind "/tmp/" tmpfs("size=1M");
    };
}

/// The attack test watches every child of this process: no other test may spawn
/// children of its own meanwhile.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn command_uid_with_namespace_is_refused_and_names_the_safe_way() {
    if !root_or_skip("Command::uid switches to uid 65534, which needs root") {
        return;
    }
    let _serial = serial();
    fs::create_dir_all(FIXTURES).unwrap();
    let log = format!("{FIXTURES}/refused-stderr");
    let error = Command::new("/bin/true")
        .uid(65534)
        .gid(65534)
        .namespace(&NS)
        .stderr(File::create(&log).unwrap())
        .status()
        .expect_err("entering after Command::uid must fail");
    assert_eq!(error.raw_os_error(), Some(1), "{error}");
    let message = fs::read_to_string(&log).unwrap();
    assert!(
        message
            .starts_with("mountns: create a user and mount namespace: the process is not dumpable")
            && message.contains("CommandExt::namespace_as")
            && message.lines().count() == 1,
        "{message}"
    );
    // A gid alone keeps uid 0: only a mount namespace is needed, and it works.
    let status = Command::new("/bin/sh")
        .args(["-c", "test \"$(id -g)\" = 65534 && test \"$(id -u)\" = 0"])
        .gid(65534)
        .namespace(&NS)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn namespace_as_runs_the_program_with_the_requested_ids_and_groups() {
    if !root_or_skip("namespace_as switches to uid 65534, which needs root") {
        return;
    }
    let _serial = serial();
    let output = Command::new("/bin/sh")
        .args([
            "-c",
            "id -u; id -g; id -G; grep -E '^Cap(Eff|Prm|Amb)' /proc/self/status; \
             stat -c %u /usr/bin; touch /usr/x 2>/dev/null || echo usr-read-only; \
             touch /tmp/mine && stat -c %u:%g /tmp/mine",
        ])
        .namespace_as(&NS, Ids::new(65534, 65534).groups(&[65534, 100]))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", described(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "65534\n65534\n65534 100\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n\
         CapAmb:\t0000000000000000\n0\nusr-read-only\n65534:65534\n",
        "{}",
        described(&output)
    );
    // No groups by default: root's supplementary groups are dropped.
    let output = Command::new("/bin/sh")
        .args(["-c", "id -G"])
        .namespace_as(&NS, Ids::new(1000, 1001))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1001\n");
}

#[test]
fn namespace_as_needs_root() {
    let _serial = serial();
    let log = format!("{FIXTURES}/as-nobody-stderr");
    fs::create_dir_all(FIXTURES).unwrap();
    let mut command = Command::new("/bin/true");
    command.stderr(File::create(&log).unwrap());
    // An unprivileged launcher (see `as_user`) asking for other ids.
    let error = as_user(&mut command, User::Nobody)
        .namespace_as(&NS, Ids::new(0, 0))
        .status()
        .expect_err("an unprivileged launcher cannot switch ids");
    assert_eq!(error.raw_os_error(), Some(1), "{error}");
    let message = fs::read_to_string(&log).unwrap();
    assert!(
        message.starts_with(&format!(
            "mountns: {}: Operation not permitted (os error 1); switching to other ids needs root",
            Step::Ids
        )),
        "{message}"
    );
}

/// What the attacker found: children seen before their exec, and what it could read
/// or take from them.
#[derive(Debug, Default, PartialEq)]
struct Findings {
    seen: usize,
    memory: usize,
    secret: usize,
    descriptors: usize,
}

impl Findings {
    fn parse(output: &Output) -> Findings {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|line| line.split_once("findings ").map(|(_, numbers)| numbers))
            .unwrap_or_else(|| panic!("no findings: {}", described(output)));
        let numbers: Vec<usize> = line.split(' ').map(|n| n.parse().unwrap()).collect();
        Findings {
            seen: numbers[0],
            memory: numbers[1],
            secret: numbers[2],
            descriptors: numbers[3],
        }
    }
}

/// The attacker: a process started as uid 65534 (not a fork of ours: a fresh exec),
/// polling every child of `parent` that has not exec'd yet (its name is still ours)
/// until `stop` exists.
fn attack(parent: u32, name: &str, secret_at: usize, secret: &[u8], stop: &Path) -> Findings {
    let mut findings = Findings::default();
    let me = std::process::id().to_string();
    let pre_exec = |pid: &str| -> bool {
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            return false;
        };
        let ppid = stat[close + 2..].split(' ').nth(1);
        &stat[open + 1..close] == name && ppid == Some(&parent.to_string())
    };
    // Stops by itself too, should the test die without saying so.
    let deadline = Instant::now() + Duration::from_mins(1);
    while !stop.exists() && Instant::now() < deadline {
        let Ok(entries) = fs::read_dir("/proc") else {
            continue;
        };
        for entry in entries.flatten() {
            let pid = entry.file_name().to_string_lossy().into_owned();
            // Not itself: the attacker runs this binary too, so it has the same name.
            if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me || !pre_exec(&pid) {
                continue;
            }
            findings.seen += 1;
            if let Ok(memory) = File::open(format!("/proc/{pid}/mem")) {
                // Opened while the child still ran our image: its memory is a copy of
                // the parent's (the mm stays the one the file was opened on).
                if pre_exec(&pid) {
                    findings.memory += 1;
                }
                let mut copy = vec![0; secret.len()];
                if memory.read_exact_at(&mut copy, secret_at as u64).is_ok() && copy == secret {
                    findings.secret += 1;
                }
            }
            let Ok(number) = pid.parse::<i32>() else {
                continue;
            };
            let Some(pidfd) =
                Pid::from_raw(number).and_then(|pid| pidfd_open(pid, PidfdFlags::empty()).ok())
            else {
                continue;
            };
            for fd in 3..64 {
                if pidfd_getfd(&pidfd, fd, PidfdGetfdFlags::empty()).is_ok() && pre_exec(&pid) {
                    findings.descriptors += 1;
                }
            }
        }
    }
    findings
}

/// Creates the stop file when dropped, even on a panic.
struct Stop(String);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = fs::write(&self.0, "");
    }
}

/// Starts the attacker, runs `spawn` over and over for 1.5 s, then stops the attacker
/// and returns its findings.
fn under_attack(secret: &[u8], phase: &str, mut spawn: impl FnMut()) -> Findings {
    let stop = format!("{FIXTURES}/stop-{phase}");
    let _ = fs::remove_file(&stop);
    // A child is named after the thread that forked it, until it execs.
    let name = fs::read_to_string("/proc/thread-self/comm").unwrap();
    let attacker = rerun(
        this_binary(),
        "the_new_uid_reads_nothing_of_the_parent_before_exec",
        "attacker",
    )
    .env(
        ATTACKED,
        format!(
            "{} {} {} {}",
            std::process::id(),
            name.trim_end(),
            secret.as_ptr() as usize,
            stop
        ),
    )
    .env(
        "MOUNTNS_PRIVILEGES_SECRET",
        String::from_utf8_lossy(secret).as_ref(),
    )
    .uid(65534)
    .gid(65534)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stopper = Stop(stop);
    // Let it start polling.
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        spawn();
    }
    drop(stopper);
    let output = attacker.wait_with_output().unwrap();
    assert!(output.status.success(), "attacker: {}", described(&output));
    Findings::parse(&output)
}

#[test]
fn the_new_uid_reads_nothing_of_the_parent_before_exec() {
    if role().as_deref() == Some("attacker") {
        let attacked = std::env::var(ATTACKED).unwrap();
        let fields: Vec<&str> = attacked.splitn(4, ' ').collect();
        let secret = std::env::var("MOUNTNS_PRIVILEGES_SECRET").unwrap();
        let findings = attack(
            fields[0].parse().unwrap(),
            fields[1],
            fields[2].parse().unwrap(),
            secret.as_bytes(),
            Path::new(fields[3]),
        );
        let Findings {
            seen,
            memory,
            secret,
            descriptors,
        } = findings;
        println!("findings {seen} {memory} {secret} {descriptors}");
        return;
    }
    if !root_or_skip("a root parent and a child that switches to uid 65534") {
        return;
    }
    let _serial = serial();
    fs::create_dir_all(FIXTURES).unwrap();
    fs::set_permissions(FIXTURES, fs::Permissions::from_mode(0o755)).unwrap();
    // A root-only file held open (O_CLOEXEC, as std opens it), and a secret on the heap.
    let secret_file = format!("{FIXTURES}/root-only");
    fs::write(&secret_file, "root only\n").unwrap();
    fs::set_permissions(&secret_file, fs::Permissions::from_mode(0o600)).unwrap();
    let _held = File::open(&secret_file).unwrap();
    let secret = format!("mountns-heap-secret-{}", std::process::id()).into_bytes();
    let quiet = |command: &mut Command| {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };

    // The safe way, and the refused one, watched.
    let mut toggle = false;
    let findings = under_attack(&secret, "mountns", || {
        toggle = !toggle;
        let mut command = Command::new("/bin/true");
        quiet(&mut command);
        if toggle {
            let status = command
                .namespace_as(&NS, Ids::new(65534, 65534))
                .status()
                .unwrap();
            assert!(status.success());
        } else {
            let refused = command.uid(65534).gid(65534).namespace(&NS).status();
            assert!(refused.is_err());
        }
    });
    assert_eq!(
        (findings.memory, findings.secret, findings.descriptors),
        (0, 0, 0),
        "the new uid read the parent's memory or took its descriptors: {findings:?}"
    );
    assert!(
        findings.seen > 0,
        "the attacker never saw a child: {findings:?}"
    );
    println!("mountns: {findings:?}");

    // The control: a child that makes itself dumpable after switching ids is robbed by
    // the same attacker.
    let control = under_attack(&secret, "control", || {
        let mut command = Command::new("/bin/true");
        quiet(&mut command);
        let status = as_user(&mut command, User::Nobody)
            .namespace(&NS)
            .status()
            .unwrap();
        assert!(status.success());
    });
    assert!(
        control.memory > 0 && control.secret > 0 && control.descriptors > 0,
        "the attacker cannot see a leak where there is one: {control:?}"
    );
    println!("control: {control:?}");
    let _ = fs::remove_file(&secret_file);
}

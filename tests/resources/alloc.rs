//! Entering allocates nothing: a global allocator that aborts the child if anything
//! allocates between a first `pre_exec` hook and exec.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::Write as _;
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd as _;
use std::os::unix::process::CommandExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use mountns::namespace;
use mountns_runtime::CommandExt as _;
use mountns_support::*;

/// Set in the child only, by the first hook.
static ARMED: AtomicBool = AtomicBool::new(false);

struct Guard;

impl Guard {
    fn check() {
        if ARMED.load(Ordering::Relaxed) {
            // SAFETY: fd 2 is open in the child; ManuallyDrop keeps it open. A raw write
            // allocates nothing.
            let mut stderr = ManuallyDrop::new(unsafe { File::from_raw_fd(2) });
            let _ = stderr.write_all(b"allocated between fork and exec\n");
            std::process::abort();
        }
    }
}

// SAFETY: forwards to the system allocator.
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check();
        // SAFETY: the caller's contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::check();
        // SAFETY: the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::check();
        // SAFETY: the caller's contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check();
        // SAFETY: the caller's contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Guard = Guard;

fn armed_command(script: &str, user: User) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script);
    as_user(&mut command, user);
    // SAFETY: the hook only stores to an atomic.
    unsafe {
        command.pre_exec(|| {
            ARMED.store(true, Ordering::Relaxed);
            Ok(())
        });
    }
    command
}

#[test]
fn entering_allocates_nothing() {
    let layers = Layers::at("/tmp/mountns-runtime/alloc");
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/alloc/a/", "/tmp/mountns-runtime/alloc/b/", tmpfs];
        bind "/opt/u/inner/" "/tmp/mountns-runtime/alloc/c/";
        bind "/work/" tmpfs("size=1m");
        bind "/work/deep/f.txt" "/tmp/mountns-runtime/alloc/file.txt";
    };
    for user in USERS {
        let mut command = armed_command("cat /work/deep/f.txt", user);
        command.current_dir(&layers.a);
        // Through std's `output`, then through `output_in`, whose child also writes
        // to the shared report.
        let plain = command.namespace(ns).output().unwrap();
        let mut command = armed_command("cat /work/deep/f.txt", user);
        let reported = command.current_dir(&layers.a).output_in(ns).unwrap();
        for output in [plain, reported] {
            assert_eq!(output.stdout, b"file\n", "{user:?}: {output:?}");
            assert!(output.status.success(), "{user:?}: {output:?}");
        }
    }
}

#[test]
fn entering_a_sandbox_allocates_nothing() {
    let ns = namespace! {
        include BASE;
        proc "/proc/";
        dev "/dev/";
        file "/etc/hostname" "box\n";
        dir "/var/tmp/";
        symlink "/home" "var/tmp";
        bind "/work/" tmpfs;
        file "/work/f" "f\n";
        dir "/work/d/";
        symlink "/work/l" "d";
    };
    let script = "cat /etc/hostname /work/f && test -d /home && test -d /work/l && \
                  echo x > /dev/null && test -r /proc/self/status";
    for user in USERS {
        let output = armed_command(script, user).namespace(ns).output().unwrap();
        assert_eq!(output.stdout, b"box\nf\n", "{user:?}: {output:?}");
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
}

#[test]
fn entering_with_run_time_sources_allocates_nothing() {
    let layers = Layers::at("/tmp/mountns-runtime/alloc-params");
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" [param(TOP), "/tmp/mountns-runtime/alloc-params/b/", tmpfs];
        bind ro "/data/" param(DATA);
    };
    let params = mountns::Params::new()
        .set("TOP", &layers.a)
        .set("DATA", &layers.c);
    for user in USERS {
        let mut command = armed_command("ls /opt/u /data", user);
        let output = command.output_in(ns.with(params.clone())).unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        // A directory chosen at run time, a slot misspelt (the message lists the names
        // given and the table's slots), a slot's value that fails (the message shows
        // it): each composed without allocating.
        let mut command = armed_command("pwd", user);
        let output = command
            .output_in(ns.with(params.clone()).current_dir("/opt/u"))
            .unwrap();
        assert_eq!(output.stdout, b"/opt/u\n", "{user:?}: {output:?}");
        let misspelt = mountns::Params::new()
            .set("TOPP", &layers.a)
            .set("DATA", &layers.c);
        let error = armed_command("true", user)
            .status_in(ns.with(misspelt))
            .unwrap_err();
        assert!(error.to_string().contains("given are for TOPP"), "{error}");
        let failing = mountns::Params::new()
            .set("TOP", &layers.a)
            .set("DATA", "/tmp/mountns-runtime/alloc-params/no-such-data");
        let error = armed_command("true", user)
            .status_in(ns.with(failing))
            .unwrap_err();
        assert!(error.to_string().contains("no-such-data\" on"), "{error}");
    }
}

#[test]
fn checking_the_hidden_paths_allocates_nothing() {
    let layers = Layers::at("/tmp/mountns-runtime/alloc-hidden");
    std::os::unix::fs::symlink("a", layers.fixture.path("link")).unwrap();
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" [param(TOP), "/tmp/mountns-runtime/alloc-hidden/b/", tmpfs];
        bind ro "/data/" "/tmp/mountns-runtime/alloc-hidden/c/";
        assert hidden ["/tmp/mountns-runtime/alloc-hidden/a/", "/home/", "/root/"];
        assert no_dev;
    };
    for user in USERS {
        // Beside the hidden paths: entered.
        let params = mountns::Params::new().set("TOP", layers.fixture.path("c"));
        let output = armed_command("ls /opt/u /data", user)
            .output_in(ns.with(params))
            .unwrap();
        assert!(output.status.success(), "{user:?}: {output:?}");
        // Through a link to a hidden path: refused, the error built without allocating.
        let params = mountns::Params::new().set("TOP", layers.fixture.path("link"));
        let error = armed_command("true", user)
            .stdout(Stdio::null())
            .status_in(ns.with(params))
            .unwrap_err();
        assert!(
            error.to_string().contains("check the hidden paths"),
            "{user:?}: {error}"
        );
    }
}

#[test]
fn failing_to_enter_allocates_nothing() {
    let fixture = Fixture::at("/tmp/mountns-runtime/alloc-missing");
    let ns = namespace! {
        include BASE;
        bind "/opt/x/" "/tmp/mountns-runtime/alloc-missing/missing";
    };
    for user in USERS {
        let log = fixture.path("stderr");
        let spawned = armed_command("true", user)
            .stderr(File::create(&log).unwrap())
            .stdout(Stdio::null())
            .namespace(ns)
            .status();
        let stderr = std::fs::read_to_string(&log).unwrap();
        // An abort would look like a successful spawn killed by SIGABRT.
        match spawned {
            Err(error) => assert_eq!(error.raw_os_error(), Some(2), "{user:?}: {stderr}"),
            Ok(status) => panic!(
                "{user:?}: {status} (signal {:?}): {stderr}",
                status.signal()
            ),
        }
        assert!(stderr.starts_with("mountns: bind"), "{user:?}: {stderr}");
        // The child of `status_in` writes the error to the shared report instead.
        let reported = armed_command("true", user)
            .stdout(Stdio::null())
            .status_in(ns);
        match reported {
            Err(error) => assert!(error.to_string().starts_with("mountns: bind"), "{error}"),
            Ok(status) => panic!("{user:?}: {status} (signal {:?})", status.signal()),
        }
    }
}

#[test]
fn entering_a_pid_table_allocates_nothing() {
    // Every setting at once: a pid namespace (three processes), a network namespace
    // with lo brought up, a host name and a new session.
    let ns = namespace! {
        include BASE;
        unshare [pid, net, ipc];
        hostname "box";
        new_session;
    };
    for user in USERS {
        // The caller, pid 1 and the program each abort if they allocate: any abort shows
        // in the status (the caller ends as pid 1 or the program did).
        let plain = armed_command("echo $$; uname -n", user)
            .namespace(ns)
            .output()
            .unwrap();
        let reported = armed_command("echo $$; uname -n", user)
            .output_in(ns)
            .unwrap();
        for output in [plain, reported] {
            assert_eq!(output.stdout, b"2\nbox\n", "{user:?}: {output:?}");
            assert!(output.status.success(), "{user:?}: {output:?}");
        }
    }
}

#[test]
fn entering_with_landlock_limits_and_a_timeout_allocates_nothing() {
    // The ruleset of every kind of mount, TCP ports, limits and a time limit: pid 1
    // waits with a deadline.
    let ns = namespace! {
        include BASE;
        proc "/proc/";
        dev "/dev/";
        file "/etc/hostname" "box\n";
        bind "/work/" tmpfs;
        bind ro noexec "/srv/" "/tmp/";
        unshare [net];
        landlock;
        connect [443];
        bind_ports [8080];
        limit [nofile(64), as("1G"), fsize("1M"), core(0), cpu(60), nproc(100)];
        timeout(60);
    };
    let script = "cat /etc/hostname && echo x > /work/x && ulimit -n";
    for user in USERS {
        let plain = armed_command(script, user).namespace(ns).output().unwrap();
        let reported = armed_command(script, user).output_in(ns).unwrap();
        for output in [plain, reported] {
            assert_eq!(output.stdout, b"box\n64\n", "{user:?}: {output:?}");
            assert!(output.status.success(), "{user:?}: {output:?}");
        }
    }
}

#[test]
fn modes_files_descriptors_persistent_unions_and_pid_1_allocate_nothing() {
    // Everything of bubblewrap's remaining features at once: modes (and the parents they
    // shape), a writable file, content and a source given when entering (the source by
    // descriptor: as uid 65534 through the helper that clones it), a union with the
    // host's upper and work directories, and the program as pid 1.
    let fixture = Fixture::at("/tmp/mountns-runtime/alloc-features");
    let ns = namespace! {
        include BASE;
        dir "/var/tmp/" mode(1777);
        bind "/t/" tmpfs;
        dir "/t/a/b/" mode(0700);
        file rw "/t/rw" "rw\n" mode(0600);
        file "/etc/given" param(GIVEN);
        bind "/fd/" param(FD);
        bind "/u/" [param(LOWER), upper(param(UPPER), param(WORK))];
        as_pid_1;
    };
    for user in USERS {
        let dirs = ["fd", "lower", "upper", "work"].map(|dir| {
            let path = fixture.dir(&format!("{user:?}/{dir}"));
            fixture.share(&format!("{user:?}/{dir}"));
            path
        });
        let params = mountns::Params::new()
            .set_content("GIVEN", "given\n")
            .set_fd("FD", std::fs::File::open(&dirs[0]).unwrap())
            .set("LOWER", &dirs[1])
            .set("UPPER", &dirs[2])
            .set("WORK", &dirs[3]);
        let script = "echo $$; cat /t/rw /etc/given; test -d /t/a/b && touch /u/x /fd/y";
        let output = armed_command(script, user)
            .output_in(ns.with(params))
            .unwrap();
        assert_eq!(output.stdout, b"1\nrw\ngiven\n", "{user:?}: {output:?}");
        assert!(output.status.success(), "{user:?}: {output:?}");
    }
}

//! Each kind of mount on its own (binds, tmpfs, unions, files, nested mountpoints) and
//! what entering refuses, entered for real in children, as root and as uid 65534 (which
//! takes the user-namespace path). Nothing is mounted in this process.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::fd::AsRawFd;

use mountns::namespace;

use mountns_support::scenarios::unions;
use mountns_support::*;

/// The mount points (field 5) of a mountinfo text.
fn mountpoints(mountinfo: &str) -> Vec<&str> {
    mountinfo
        .lines()
        .map(|line| line.split(' ').nth(4).unwrap())
        .collect()
}

#[test]
fn bind_shows_host_files_and_nothing_else() {
    let _layers = Layers::at("/tmp/mountns-runtime/bind");
    let ns = namespace! {
        include BASE;
        bind "/opt/data/" "/tmp/mountns-runtime/bind/a/";
    };
    for (user, run) in each_user(ns, "cat /opt/data/a.txt; ls /; id -u; id -g", 0, "") {
        let id = if user == User::Root { 0 } else { nobody() };
        let expected = format!("A\nbin\nlib\nlib64\nopt\nusr\n{id}\n{id}\n");
        assert_eq!(run.stdout, expected, "{user:?}: {run:#?}");
    }
}

#[test]
fn read_only_bind_is_read_only_with_its_submounts() {
    let layers = Layers::at("/tmp/mountns-runtime/read-only-bind");
    // The host's /dev has submounts (/dev/pts, /dev/shm): they must be read-only too.
    let ns = namespace! {
        include BASE;
        bind ro dev "/dev/";
        bind ro "/opt/ro/" "/tmp/mountns-runtime/read-only-bind/a/";
        bind "/proc/";
    };
    let script = "touch /opt/ro/new; echo opt=$?; touch /dev/shm/mountns-new; echo shm=$?; \
                  echo ok > /dev/null && cat /proc/self/mountinfo";
    for (user, run) in each_user(ns, script, 0, "opt=1\nshm=1\n") {
        assert_eq!(
            run.stderr.matches("Read-only file system").count(),
            2,
            "{user:?}: {run:#?}"
        );
        let mut under_dev = 0;
        for line in run.stdout.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let (mountpoint, options) = (fields[4], fields[5]);
            if mountpoint == "/dev" || mountpoint.starts_with("/dev/") || mountpoint == "/opt/ro" {
                assert!(options.split(',').any(|o| o == "ro"), "{user:?}: {line}");
                under_dev += 1;
            }
        }
        assert!(under_dev >= 3, "{user:?}: {run:#?}");
    }
    assert!(!fs::exists(layers.fixture.path("a/new")).unwrap());
    assert!(!fs::exists("/dev/shm/mountns-new").unwrap());
}

#[test]
fn tmpfs_is_writable_and_honours_its_size() {
    let ns = namespace! {
        include BASE;
        bind "/scratch/" tmpfs("size=1m");
    };
    let script = "echo hi > /scratch/a && cat /scratch/a; \
                  yes 0123456789 > /scratch/big; echo rc=$?; wc -c < /scratch/big";
    for (user, run) in each_user(ns, script, 0, "hi\nrc=1\n") {
        let size: u64 = run.stdout.trim().parse().unwrap();
        assert!((900_000..=1 << 20).contains(&size), "{user:?}: {size}");
        assert!(
            run.stderr.contains("No space left on device"),
            "{user:?}: {run:#?}"
        );
    }
}

#[test]
fn read_only_union_shows_both_layers_first_on_top() {
    unions::read_only_union();
}

#[test]
fn writable_union_keeps_writes_off_the_host_and_hides_its_upper() {
    let layers = Layers::at("/tmp/mountns-runtime/writable");
    layers.fixture.share("a/both.txt");
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/writable/a/", "/tmp/mountns-runtime/writable/b/", tmpfs];
        bind "/proc/";
    };
    let script = "echo new > /opt/u/new.txt && echo changed > /opt/u/both.txt && \
                  mkdir /opt/u/dir && rm /opt/u/a.txt && \
                  cat /opt/u/new.txt /opt/u/both.txt && ls /opt/u && ls / && \
                  cat /proc/self/mountinfo";
    let seen = "new\nchanged\nb.txt\nboth.txt\ndir\nnew.txt\nbin\nlib\nlib64\nopt\nproc\nusr\n";
    for (user, run) in each_user(ns, script, 0, seen) {
        // In the table's order: sorted, parents first.
        let expected = ["/", "/bin", "/lib", "/lib64", "/opt/u", "/proc", "/usr"];
        assert_eq!(mountpoints(&run.stdout), expected, "{user:?}: {run:#?}");
    }
    assert_eq!(
        fs::read_to_string(layers.fixture.path("a/both.txt")).unwrap(),
        "from a\n"
    );
    assert_eq!(
        fs::read_to_string(layers.fixture.path("a/a.txt")).unwrap(),
        "A\n"
    );
    assert_eq!(fs::read_dir(&layers.a).unwrap().count(), 2);
    assert_eq!(fs::read_dir(&layers.b).unwrap().count(), 2);
}

#[test]
fn file_bind() {
    let _layers = Layers::at("/tmp/mountns-runtime/file-bind");
    let ns = namespace! {
        include BASE;
        bind "/etc/motd" "/tmp/mountns-runtime/file-bind/file.txt";
    };
    each_user_sees(ns, "cat /etc/motd; ls /etc", "file\nmotd\n");
}

#[test]
fn file_bind_over_a_symlink_covers_the_link() {
    // Like a union over the host's /etc whose localtime links to /usr/share/zoneinfo/..,
    // which is not there (yet) inside.
    let layers = Layers::at("/tmp/mountns-runtime/file-over-link");
    std::os::unix::fs::symlink("/nowhere/file", layers.fixture.path("a/link")).unwrap();
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/file-over-link/a/", "/tmp/mountns-runtime/file-over-link/b/", tmpfs];
        bind "/opt/u/link" "/tmp/mountns-runtime/file-over-link/file.txt";
    };
    let seen = "file\nbin\nlib\nlib64\nopt\nusr\n";
    each_user_sees(ns, "cat /opt/u/link; ls /", seen);
}

#[test]
fn bind_nested_in_a_union_finds_its_mountpoint_in_the_skeleton() {
    unions::bind_nested_in_a_union();
}

#[test]
fn mounts_nested_in_a_tmpfs_get_their_mountpoints_created() {
    let _layers = Layers::at("/tmp/mountns-runtime/in-tmpfs");
    let ns = namespace! {
        include BASE;
        bind "/work/" tmpfs;
        bind "/work/deep/data/" "/tmp/mountns-runtime/in-tmpfs/c/";
        bind "/work/f.txt" "/tmp/mountns-runtime/in-tmpfs/file.txt";
    };
    let script =
        "cat /work/deep/data/c.txt /work/f.txt; echo x > /work/other && cat /work/other; ls /work";
    each_user_sees(ns, script, "C\nfile\nx\ndeep\nf.txt\nother\n");
}

#[test]
fn union_of_more_than_a_page_of_layers() {
    // Past the legacy path's page: `lowerdir+` takes one layer at a time.
    unions::long_layer_names();
}

#[test]
fn layers_with_commas_colons_and_backslashes() {
    for (user, line) in unions::escaped_layer_names() {
        assert!(
            line.contains("upperdir=/u3/upper,workdir=/u3/work"),
            "{user:?}: {line}"
        );
    }
}

#[test]
fn current_dir_is_kept_inside_or_falls_back_to_root() {
    let layers = Layers::at("/tmp/mountns-runtime/cwd");
    // The fixture is bound at its own path, so the directory exists inside.
    let ns = namespace! {
        include BASE;
        bind "/tmp/mountns-runtime/cwd/a/";
    };
    for user in USERS {
        let run = sh_in(ns, "pwd; cat a.txt", user, |command| {
            command.current_dir(&layers.a);
        });
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout,
            format!("{}\nA\n", layers.a),
            "{user:?}: {run:#?}"
        );
        // No /var inside.
        let run = sh_in(ns, "pwd", user, |command| {
            command.current_dir("/var");
        });
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert_eq!(run.stdout, "/\n", "{user:?}: {run:#?}");
    }
}

#[test]
fn no_fd_leaks_into_the_namespace() {
    // runc CVE-2024-21626: a descriptor of the host left open in the child reaches the
    // host's tree. Every kind of mount, so every kind of descriptor mountns opens
    // (sources, mountpoints, detached trees, tmpfs and overlay contexts) is made.
    let layers = Layers::at("/tmp/mountns-runtime/fds");
    let ns = namespace! {
        include BASE;
        bind "/proc/";
        bind "/opt/u/" ["/tmp/mountns-runtime/fds/a/", "/tmp/mountns-runtime/fds/b/", tmpfs];
        bind "/opt/r/" ["/tmp/mountns-runtime/fds/a/", "/tmp/mountns-runtime/fds/b/"];
        bind "/opt/u/inner/" "/tmp/mountns-runtime/fds/c/";
        bind "/tmp/" tmpfs;
        bind "/tmp/f.txt" "/tmp/mountns-runtime/fds/file.txt";
    };
    // What the caller passes on purpose, it passes: a descriptor it made inheritable
    // (no O_CLOEXEC). One opened the usual way (std sets O_CLOEXEC) is not passed.
    let passed = File::open(layers.fixture.file("passed", "passed on purpose\n")).unwrap();
    rustix::io::fcntl_setfd(&passed, rustix::io::FdFlags::empty()).unwrap();
    // Numbered high, so that the fd `ls` opens does not take the same number.
    let kept = rustix::io::fcntl_dupfd_cloexec(File::open(&layers.file).unwrap(), 200).unwrap();
    let (passed_fd, kept_fd) = (
        passed.as_raw_fd().cast_unsigned(),
        kept.as_raw_fd().cast_unsigned(),
    );
    for user in USERS {
        let inherited = inherited_fds();
        assert!(inherited.contains(&passed_fd) && !inherited.contains(&kept_fd));
        let run = sh(
            ns,
            &format!("cat /proc/self/fd/{passed_fd}; readlink /proc/self/cwd; ls /proc/self/fd"),
            user,
        );
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let mut lines = run.stdout.lines();
        assert_eq!(
            lines.next(),
            Some("passed on purpose"),
            "{user:?}: {run:#?}"
        );
        assert_eq!(lines.next(), Some("/"), "{user:?}: {run:#?}");
        let inside: BTreeSet<u32> = lines.map(|fd| fd.parse().unwrap()).collect();
        assert!(inside.contains(&passed_fd), "{user:?}: {inside:?}");
        assert!(!inside.contains(&kept_fd), "{user:?}: {inside:?}");
        let extra: Vec<u32> = inside
            .iter()
            .copied()
            .filter(|fd| *fd > 2 && !inherited.contains(fd))
            .collect();
        // Only the directory `ls` reads.
        assert_eq!(
            extra.len(),
            1,
            "{user:?}: inside {inside:?}, inherited {inherited:?}"
        );
        assert!(inside.is_superset(&BTreeSet::from([0, 1, 2])));
    }
}

#[test]
fn host_mountinfo_is_unchanged() {
    let before = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let _layers = Layers::at("/tmp/mountns-runtime/host-mountinfo");
    let ns = namespace! {
        include BASE;
        bind ro "/dev/";
        bind "/opt/u/" ["/tmp/mountns-runtime/host-mountinfo/a/", "/tmp/mountns-runtime/host-mountinfo/b/", tmpfs];
        bind "/opt/u/inner/" "/tmp/mountns-runtime/host-mountinfo/c/";
        bind "/tmp/" tmpfs("size=1m");
        bind "/tmp/f.txt" "/tmp/mountns-runtime/host-mountinfo/file.txt";
    };
    each_user_sees(ns, "ls /opt/u/inner; ls /tmp", "c.txt\nf.txt\n");
    let after = fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert_eq!(before, after);
}

#[test]
fn missing_source_is_named() {
    let layers = Layers::at("/tmp/mountns-runtime/missing");
    let ns = namespace! {
        include BASE;
        bind "/opt/x/" "/tmp/mountns-runtime/missing/missing";
    };
    let stderr = "mountns: bind \"/tmp/mountns-runtime/missing/missing\" on \"/opt/x\": \
                  open source: No such file or directory (os error 2)\n";
    each_user_is_refused(ns, &layers.fixture, 2, stderr);
}

#[test]
fn file_as_union_member_is_refused() {
    let layers = Layers::at("/tmp/mountns-runtime/file-in-union");
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/file-in-union/a/", "/tmp/mountns-runtime/file-in-union/file.txt"];
    };
    let stderr = format!(
        "mountns: union \"{}\" on \"/opt/u\": open source: Not a directory (os error 20)\n",
        layers.file
    );
    each_user_is_refused(ns, &layers.fixture, 20, &stderr);
}

#[test]
fn file_on_a_directory_mountpoint_is_refused() {
    let layers = Layers::at("/tmp/mountns-runtime/file-on-dir");
    let ns = namespace! {
        include BASE;
        bind "/opt/x/" "/tmp/mountns-runtime/file-on-dir/file.txt";
    };
    let stderr = format!(
        "mountns: bind \"{}\" on \"/opt/x\": compare source and mountpoint: \
         Is a directory (os error 21); a file cannot be bound on a directory; \
         declare the target without a trailing slash\n",
        layers.file
    );
    each_user_is_refused(ns, &layers.fixture, 21, &stderr);
}

#[test]
fn symlinked_mountpoint_is_refused() {
    // /opt/link is a symlink (in a bound host directory) to an absolute path: the bind
    // must land where the table says or nowhere, never where the link leads.
    let layers = Layers::at("/tmp/mountns-runtime/symlinked");
    let outside = layers.fixture.dir("outside");
    std::os::unix::fs::symlink(&outside, layers.fixture.path("a/link")).unwrap();
    let ns = namespace! {
        include BASE;
        bind "/opt/" "/tmp/mountns-runtime/symlinked/a/";
        bind "/opt/link/" "/tmp/mountns-runtime/symlinked/c/";
    };
    let stderr = format!(
        "mountns: bind \"{}\" on \"/opt/link\": open mountpoint: \"/opt/link\" \
         is a symbolic link inside the new root; bind its target instead\n",
        layers.c
    );
    each_user_is_refused(ns, &layers.fixture, 40, &stderr);
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

/// Whether the kernel is at least `major.minor`.
fn kernel_at_least(major: u32, minor: u32) -> bool {
    let release = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    (numbers.next().unwrap(), numbers.next().unwrap()) >= (major, minor)
}

#[test]
fn unions_take_one_layer_at_a_time_on_new_kernels() {
    if !kernel_at_least(6, 8) {
        return;
    }
    let layers = Layers::at("/tmp/mountns-runtime/one-at-a-time");
    let ns = namespace! {
        include BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/one-at-a-time/a/", "/tmp/mountns-runtime/one-at-a-time/b/", tmpfs];
        bind "/proc/";
    };
    let script = "grep ' /opt/u ' /proc/self/mountinfo";
    for (user, run) in each_user(ns, script, 0, "") {
        let expected = format!(
            "lowerdir+=/oldroot{},lowerdir+=/oldroot{},lowerdir+=/newroot/opt/u,\
             upperdir=/u0/upper,workdir=/u0/work",
            layers.a, layers.b
        );
        assert!(run.stdout.contains(&expected), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout.contains("userxattr"),
            user == User::Nobody,
            "{run:#?}"
        );
    }
}

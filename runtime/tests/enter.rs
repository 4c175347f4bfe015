//! Entering real namespaces, in children, as root and as uid 65534 (which takes the
//! user-namespace path). Nothing is mounted in this process.

mod common;

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::os::fd::AsRawFd;

use common::*;

/// Two layers that clash on `both.txt`, and a third directory.
struct Layers {
    fixture: Fixture,
    a: String,
    b: String,
    c: String,
    file: String,
}

fn layers() -> Layers {
    let fixture = Fixture::new();
    let a = fixture.dir("a");
    fixture.file("a/a.txt", "A\n");
    fixture.file("a/both.txt", "from a\n");
    let b = fixture.dir("b");
    fixture.file("b/b.txt", "B\n");
    fixture.file("b/both.txt", "from b\n");
    let c = fixture.dir("c");
    fixture.file("c/c.txt", "C\n");
    let file = fixture.file("file.txt", "file\n");
    Layers {
        fixture,
        a,
        b,
        c,
        file,
    }
}

/// The mount points (field 5) of a mountinfo text.
fn mountpoints(mountinfo: &str) -> Vec<&str> {
    mountinfo
        .lines()
        .map(|line| line.split(' ').nth(4).unwrap())
        .collect()
}

fn check(run: &Run, user: User, stdout: &str) {
    assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
    assert_eq!(run.stdout, stdout, "{user:?}: {run:#?}");
}

#[test]
fn bind_shows_host_files_and_nothing_else() {
    let layers = layers();
    let ns = namespace(vec![bind("/opt/data", &layers.a)]);
    for user in USERS {
        let run = sh(ns, "cat /opt/data/a.txt; ls /; id -u; id -g", user);
        let id = if user == User::Root { 0 } else { 65534 };
        check(
            &run,
            user,
            &format!("A\nbin\nlib\nlib64\nopt\nusr\n{id}\n{id}\n"),
        );
    }
}

#[test]
fn read_only_bind_is_read_only_with_its_submounts() {
    let layers = layers();
    // The host's /dev has submounts (/dev/pts, /dev/shm): they must be read-only too.
    let ns = namespace(vec![
        bind_ro("/dev", "/dev"),
        bind_ro("/opt/ro", &layers.a),
        bind("/proc", "/proc"),
    ]);
    for user in USERS {
        let run = sh(
            ns,
            "touch /opt/ro/new; echo opt=$?; touch /dev/shm/mountns-new; echo shm=$?; \
             echo ok > /dev/null && cat /proc/self/mountinfo",
            user,
        );
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        assert!(
            run.stdout.starts_with("opt=1\nshm=1\n"),
            "{user:?}: {run:#?}"
        );
        assert_eq!(
            run.stderr.matches("Read-only file system").count(),
            2,
            "{user:?}: {run:#?}"
        );
        let mut under_dev = 0;
        for line in run.stdout.lines().skip(2) {
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
    let ns = namespace(vec![tmpfs("/scratch", &[("size", Some("1m"))])]);
    for user in USERS {
        let run = sh(
            ns,
            "echo hi > /scratch/a && cat /scratch/a; \
             yes 0123456789 > /scratch/big; echo rc=$?; wc -c < /scratch/big",
            user,
        );
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines[..2], ["hi", "rc=1"], "{user:?}: {run:#?}");
        let size: u64 = lines[2].trim().parse().unwrap();
        assert!((900_000..=1 << 20).contains(&size), "{user:?}: {size}");
        assert!(
            run.stderr.contains("No space left on device"),
            "{user:?}: {run:#?}"
        );
    }
}

#[test]
fn read_only_union_shows_both_layers_first_on_top() {
    let layers = layers();
    let ns = namespace(vec![union("/opt/u", &[&layers.a, &layers.b], None)]);
    for user in USERS {
        let run = sh(
            ns,
            "cat /opt/u/a.txt /opt/u/b.txt /opt/u/both.txt; ls /opt/u; touch /opt/u/new",
            user,
        );
        assert_eq!(run.code, Some(1), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout, "A\nB\nfrom a\na.txt\nb.txt\nboth.txt\n",
            "{user:?}: {run:#?}"
        );
        assert!(
            run.stderr.contains("Read-only file system"),
            "{user:?}: {run:#?}"
        );
    }
}

#[test]
fn writable_union_keeps_writes_off_the_host_and_hides_its_upper() {
    let layers = layers();
    // Owned by uid 65534, so that it can change it through the union: copy-up in a user
    // namespace fails with EOVERFLOW for a file whose owner is not mapped (root's).
    std::os::unix::fs::chown(layers.fixture.path("a/both.txt"), Some(65534), Some(65534)).unwrap();
    let ns = namespace(vec![
        union("/opt/u", &[&layers.a, &layers.b], Some(0)),
        bind("/proc", "/proc"),
    ]);
    for user in USERS {
        let run = sh(
            ns,
            "echo new > /opt/u/new.txt && echo changed > /opt/u/both.txt && \
             mkdir /opt/u/dir && rm /opt/u/a.txt && \
             cat /opt/u/new.txt /opt/u/both.txt && ls /opt/u && ls / && \
             cat /proc/self/mountinfo",
            user,
        );
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let expected =
            "new\nchanged\nb.txt\nboth.txt\ndir\nnew.txt\nbin\nlib\nlib64\nopt\nproc\nusr\n";
        assert!(run.stdout.starts_with(expected), "{user:?}: {run:#?}");
        let mountinfo = &run.stdout[expected.len()..];
        let expected = ["/", "/bin", "/lib", "/lib64", "/usr", "/opt/u", "/proc"];
        assert_eq!(mountpoints(mountinfo), expected, "{user:?}: {mountinfo}");
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
    let layers = layers();
    let ns = namespace(vec![bind_file("/etc/motd", &layers.file)]);
    for user in USERS {
        check(
            &sh(ns, "cat /etc/motd; ls /etc", user),
            user,
            "file\nmotd\n",
        );
    }
}

#[test]
fn file_bind_over_a_symlink_covers_the_link() {
    // Like a union over the host's /etc whose localtime links to /usr/share/zoneinfo/..,
    // which is not there (yet) inside.
    let layers = layers();
    std::os::unix::fs::symlink("/nowhere/file", layers.fixture.path("a/link")).unwrap();
    let ns = namespace(vec![
        union("/opt/u", &[&layers.a, &layers.b], Some(0)),
        bind_file("/opt/u/link", &layers.file),
    ]);
    for user in USERS {
        check(
            &sh(ns, "cat /opt/u/link; ls /", user),
            user,
            "file\nbin\nlib\nlib64\nopt\nusr\n",
        );
    }
}

#[test]
fn bind_nested_in_a_union_finds_its_mountpoint_in_the_skeleton() {
    let layers = layers();
    // No layer has `inner`: only the skeleton, the lowest layer, does.
    for upper in [None, Some(0)] {
        let ns = namespace(vec![
            union("/opt/u", &[&layers.a, &layers.b], upper),
            bind("/opt/u/inner", &layers.c),
        ]);
        for user in USERS {
            let run = sh(ns, "cat /opt/u/inner/c.txt; ls /opt/u", user);
            check(&run, user, "C\na.txt\nb.txt\nboth.txt\ninner\n");
        }
    }
    assert!(!fs::exists(layers.fixture.path("a/inner")).unwrap());
    assert!(!fs::exists(layers.fixture.path("b/inner")).unwrap());
}

#[test]
fn mounts_nested_in_a_tmpfs_get_their_mountpoints_created() {
    let layers = layers();
    let ns = namespace(vec![
        tmpfs("/work", &[]),
        in_tmpfs(bind("/work/deep/data", &layers.c)),
        in_tmpfs(bind_file("/work/f.txt", &layers.file)),
    ]);
    for user in USERS {
        let run = sh(
            ns,
            "cat /work/deep/data/c.txt /work/f.txt; echo x > /work/other && cat /work/other; ls /work",
            user,
        );
        check(&run, user, "C\nfile\nx\ndeep\nf.txt\nother\n");
    }
}

#[test]
fn tmpfs_on_the_root_itself() {
    // Everything else is then inside that tmpfs, which covers the skeleton.
    // Its mode tells it from the tmpfs below.
    let mut mounts = vec![tmpfs("/", &[("mode", Some("0711"))])];
    mounts.extend(base().into_iter().map(in_tmpfs));
    mounts.push(in_tmpfs(tmpfs("/work", &[])));
    let skeleton = leak_skeleton(&mounts);
    let ns: &'static _ = Box::leak(Box::new(mountns_runtime::Namespace::__new(
        Box::leak(mounts.into_boxed_slice()),
        skeleton,
        &[],
    )));
    for user in USERS {
        let run = sh(
            ns,
            "echo x > /work/x && cat /work/x && ls / && stat -c %a /",
            user,
        );
        check(&run, user, "x\nbin\nlib\nlib64\nusr\nwork\n711\n");
    }
}

fn leak_skeleton(mounts: &[mountns_runtime::Mount]) -> &'static [mountns_runtime::Mountpoint] {
    Box::leak(skeleton(mounts).into_boxed_slice())
}

#[test]
fn union_of_more_than_a_page_of_layers() {
    // Past the legacy path's page: `lowerdir+` takes one layer at a time.
    let fixture = Fixture::new();
    let long = "l".repeat(200);
    let lowers: Vec<String> = (0..30)
        .map(|i| {
            let dir = fixture.dir(&format!("{long}-{i:02}"));
            fixture.file(&format!("{long}-{i:02}/{i:02}"), "");
            dir
        })
        .collect();
    let lowers: Vec<&str> = lowers.iter().map(String::as_str).collect();
    let ns = namespace(vec![union("/opt/u", &lowers, None)]);
    for user in USERS {
        let run = sh(ns, "ls /opt/u | wc -l", user);
        check(&run, user, "30\n");
    }
}

#[test]
fn layers_with_commas_colons_and_backslashes() {
    let fixture = Fixture::new();
    let a = fixture.dir("a,b:c\\d");
    fixture.file("a,b:c\\d/one", "1\n");
    let b = fixture.dir("e:f");
    fixture.file("e:f/two", "2\n");
    let ns = namespace(vec![union("/opt/u", &[&a, &b], Some(0))]);
    for user in USERS {
        check(&sh(ns, "cat /opt/u/one /opt/u/two", user), user, "1\n2\n");
    }
}

#[test]
fn current_dir_is_kept_inside_or_falls_back_to_root() {
    let layers = layers();
    // The fixture is bound at its own path, so the directory exists inside.
    let ns = namespace(vec![bind(&layers.a, &layers.a)]);
    for user in USERS {
        let run = sh_in(ns, "pwd; cat a.txt", user, |command| {
            command.current_dir(&layers.a);
        });
        check(&run, user, &format!("{}\nA\n", layers.a));
        // No /var inside.
        let run = sh_in(ns, "pwd", user, |command| {
            command.current_dir("/var");
        });
        check(&run, user, "/\n");
    }
}

/// The fds this process passes to its children: those without `O_CLOEXEC`.
fn inherited_fds() -> BTreeSet<u32> {
    let mut fds = BTreeSet::new();
    for entry in fs::read_dir("/proc/self/fdinfo").unwrap() {
        let entry = entry.unwrap();
        let Ok(fd) = entry.file_name().to_str().unwrap().parse::<u32>() else {
            continue;
        };
        let Ok(info) = fs::read_to_string(entry.path()) else {
            continue;
        };
        let flags = info
            .lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .map(|flags| u32::from_str_radix(flags.trim(), 8).unwrap())
            .unwrap();
        if flags & 0o2000000 == 0 {
            fds.insert(fd);
        }
    }
    fds
}

#[test]
fn no_fd_leaks_into_the_namespace() {
    // runc CVE-2024-21626: a descriptor of the host left open in the child reaches the
    // host's tree. Every kind of mount, so every kind of descriptor mountns opens
    // (sources, mountpoints, detached trees, tmpfs and overlay contexts) is made.
    let layers = layers();
    let ns = namespace(vec![
        bind("/proc", "/proc"),
        union("/opt/u", &[&layers.a, &layers.b], Some(0)),
        union("/opt/r", &[&layers.a, &layers.b], None),
        bind("/opt/u/inner", &layers.c),
        tmpfs("/tmp", &[]),
        in_tmpfs(bind_file("/tmp/f.txt", &layers.file)),
    ]);
    // What the caller passes on purpose, it passes: a descriptor it made inheritable
    // (no O_CLOEXEC). One opened the usual way (std sets O_CLOEXEC) is not passed.
    let passed = File::open(layers.fixture.file("passed", "passed on purpose\n")).unwrap();
    rustix::io::fcntl_setfd(&passed, rustix::io::FdFlags::empty()).unwrap();
    // Numbered high, so that the fd `ls` opens does not take the same number.
    let kept = rustix::io::fcntl_dupfd_cloexec(File::open(&layers.file).unwrap(), 200).unwrap();
    let (passed_fd, kept_fd) = (passed.as_raw_fd() as u32, kept.as_raw_fd() as u32);
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
    let layers = layers();
    let ns = namespace(vec![
        bind_ro("/dev", "/dev"),
        union("/opt/u", &[&layers.a, &layers.b], Some(0)),
        bind("/opt/u/inner", &layers.c),
        tmpfs("/tmp", &[("size", Some("1m"))]),
        in_tmpfs(bind_file("/tmp/f.txt", &layers.file)),
    ]);
    for user in USERS {
        let run = sh(ns, "ls /opt/u/inner; ls /tmp", user);
        check(&run, user, "c.txt\nf.txt\n");
    }
    let after = fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert_eq!(before, after);
}

#[test]
fn missing_source_is_named() {
    let layers = layers();
    let missing = layers.fixture.path("missing");
    let ns = namespace(vec![bind("/opt/x", &missing)]);
    for user in USERS {
        let (error, stderr) = spawn_error(ns, user, &layers.fixture);
        assert_eq!(error.raw_os_error(), Some(2), "{user:?}: {error}");
        assert_eq!(
            stderr,
            format!(
                "mountns: bind \"{missing}\" on \"/opt/x\": open source: \
                 No such file or directory (os error 2)\n"
            )
        );
    }
}

#[test]
fn file_as_union_member_is_refused() {
    let layers = layers();
    let ns = namespace(vec![union("/opt/u", &[&layers.a, &layers.file], None)]);
    for user in USERS {
        let (error, stderr) = spawn_error(ns, user, &layers.fixture);
        assert_eq!(error.raw_os_error(), Some(20), "{user:?}: {error}");
        assert_eq!(
            stderr,
            format!(
                "mountns: union \"{}\" on \"/opt/u\": open source: Not a directory (os error 20)\n",
                layers.file
            )
        );
    }
}

#[test]
fn file_on_a_directory_mountpoint_is_refused() {
    let layers = layers();
    let ns = namespace(vec![bind("/opt/x", &layers.file)]);
    for user in USERS {
        let (error, stderr) = spawn_error(ns, user, &layers.fixture);
        assert_eq!(error.raw_os_error(), Some(21), "{user:?}: {error}");
        assert_eq!(
            stderr,
            format!(
                "mountns: bind \"{}\" on \"/opt/x\": compare source and mountpoint: \
                 Is a directory (os error 21); a file cannot be bound on a directory; \
                 declare the target without a trailing slash\n",
                layers.file
            )
        );
    }
}

#[test]
fn symlinked_mountpoint_is_refused() {
    // /opt/link is a symlink (in a bound host directory) to an absolute path: the bind
    // must land where the table says or nowhere, never where the link leads.
    let layers = layers();
    let outside = layers.fixture.dir("outside");
    std::os::unix::fs::symlink(&outside, layers.fixture.path("a/link")).unwrap();
    let ns = namespace(vec![bind("/opt", &layers.a), bind("/opt/link", &layers.c)]);
    for user in USERS {
        let (error, stderr) = spawn_error(ns, user, &layers.fixture);
        assert_eq!(error.raw_os_error(), Some(40), "{user:?}: {error}");
        assert_eq!(
            stderr,
            format!(
                "mountns: bind \"{}\" on \"/opt/link\": open mountpoint: \"/opt/link\" \
                 is a symbolic link inside the new root; bind its target instead\n",
                layers.c
            )
        );
    }
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
    let layers = layers();
    let ns = namespace(vec![
        union("/opt/u", &[&layers.a, &layers.b], Some(0)),
        bind("/proc", "/proc"),
    ]);
    for user in USERS {
        let run = sh(ns, "grep ' /opt/u ' /proc/self/mountinfo", user);
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
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

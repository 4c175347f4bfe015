//! Sources given as descriptors (`Params::set_fd`), as bubblewrap's `--bind-fd`: what is
//! mounted is the descriptor's own object, never a path looked up again. Entered for
//! real, as root (which clones the descriptor's tree itself) and as uid 65534 (which
//! clones it in a user namespace of a helper's); the descriptor never reaches the
//! program, and nothing mounted on the clone reaches the caller's mounts.

use std::fs::{self, File};
use std::os::fd::{AsRawFd as _, OwnedFd};
use std::process::{Command, Stdio};

use mountns::{CommandExt as _, Params, Step, namespace};
use mountns_support::{BASE, Fixture, USERS, User, as_user, root_or_skip, sh_stdout};
use rustix::fs::{Mode, OFlags};

namespace! {
    static SOURCES = {
        include BASE;
        bind "/dir/" param(DIR);
        bind ro "/file" param(FILE);
        bind "/union/" [param(TOP), param(BOTTOM), tmpfs];
        bind "/dir/inner/" tmpfs;
        bind "/proc/";
    };
}

/// The sources of a test, in a directory of its own.
fn fixture(test: &str) -> Fixture {
    let fixture = Fixture::at(&format!("/tmp/mountns-tests-descriptors/{test}"));
    fixture.file("dir/data", "dir\n");
    fixture.dir("dir/inner");
    fixture.file("file", "file\n");
    fixture.file("top/top", "top\n");
    fixture.file("bottom/bottom", "bottom\n");
    fixture.share("dir");
    fixture
}

/// An `O_PATH` descriptor of `path`, inheritable: mountns makes it close-on-exec.
fn o_path(path: &str) -> OwnedFd {
    rustix::fs::open(path, OFlags::PATH, Mode::empty()).unwrap()
}

/// `params` with the file source: by descriptor as root, by path otherwise (a file's
/// descriptor is cloned with root's privileges only; see below).
fn file(params: Params, fixture: &Fixture, user: User) -> Params {
    match user {
        User::Root => params.set_fd("FILE", o_path(&fixture.path("file"))),
        User::Nobody => params.set("FILE", fixture.path("file")),
    }
}

#[test]
fn a_descriptor_binds_the_directory_or_file_it_refers_to() {
    let fixture = fixture("descriptor");
    for user in USERS {
        // A plain directory descriptor, an O_PATH file descriptor, an O_PATH layer.
        let dir = OwnedFd::from(File::open(fixture.path("dir")).unwrap());
        let params = file(Params::new().set_fd("DIR", dir), &fixture, user)
            .set_fd("TOP", o_path(&fixture.path("top")))
            .set("BOTTOM", fixture.path("bottom"));
        let script = "cat /dir/data /file /union/top /union/bottom; \
                      echo new > /dir/new; echo x > /file 2>&- || echo read-only; \
                      touch /dir/inner/t && echo inner";
        assert_eq!(
            sh_stdout(SOURCES.with(params.clone()), script, user),
            "dir\nfile\ntop\nbottom\nread-only\ninner\n",
            "{user:?}"
        );
        assert_eq!(
            fs::read_to_string(fixture.path("dir/new")).unwrap(),
            "new\n"
        );
        fs::remove_file(fixture.path("dir/new")).unwrap();
        // The tmpfs nested in the clone stayed in the namespace.
        assert_eq!(fs::read_dir(fixture.path("dir/inner")).unwrap().count(), 0);
    }
}

#[test]
fn the_object_is_mounted_not_its_path_looked_up_again() {
    // The directory is renamed and another put at its path after the descriptor was
    // opened: the sandbox gets the descriptor's directory, wherever it went.
    let fixture = fixture("object");
    for user in USERS {
        let dir = o_path(&fixture.path("dir"));
        fs::rename(fixture.path("dir"), fixture.path("moved")).unwrap();
        fixture.file("dir/data", "impostor\n");
        let params = file(Params::new().set_fd("DIR", dir), &fixture, user)
            .set_fd("TOP", o_path(&fixture.path("top")))
            .set("BOTTOM", fixture.path("bottom"));
        assert_eq!(
            sh_stdout(SOURCES.with(params.clone()), "cat /dir/data", user),
            "dir\n",
            "{user:?}"
        );
        fs::remove_dir_all(fixture.path("dir")).unwrap();
        fs::rename(fixture.path("moved"), fixture.path("dir")).unwrap();
    }
}

#[test]
fn the_program_never_holds_the_descriptor() {
    // Opened inheritable (no O_CLOEXEC), it would let the program fchdir out of its
    // root; `set_fd` makes it close-on-exec, and entering closes what it opened.
    let fixture = fixture("program");
    for user in USERS {
        // Inheritable and numbered apart from what `ls` opens.
        let dir = rustix::io::fcntl_dupfd_cloexec(o_path(&fixture.path("dir")), 200).unwrap();
        rustix::io::fcntl_setfd(&dir, rustix::io::FdFlags::empty()).unwrap();
        let number = dir.as_raw_fd();
        let params = file(Params::new().set_fd("DIR", dir), &fixture, user)
            .set_fd("TOP", o_path(&fixture.path("top")))
            .set("BOTTOM", fixture.path("bottom"));
        let fds = sh_stdout(SOURCES.with(params.clone()), "ls /proc/self/fd", user);
        let fds: Vec<i32> = fds.lines().map(|fd| fd.parse().unwrap()).collect();
        assert!(!fds.contains(&number), "{user:?}: {fds:?} holds {number}");
    }
}

#[test]
fn a_descriptor_of_another_mount_namespace_is_refused() {
    if !root_or_skip("it mounts a tmpfs in a mount namespace of its own with unshare -m") {
        return;
    }
    // A directory of a tmpfs mounted only in another namespace, reached through its
    // process's root: the kernel clones a mount of the caller's namespace only.
    let fixture = fixture("namespace");
    let mut other = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs none {} && echo ready && exec sleep 30",
            fixture.path("dir")
        ))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(other.stdout.as_mut().unwrap()),
        &mut ready,
    )
    .unwrap();
    let elsewhere = format!("/proc/{}/root{}", other.id(), fixture.path("dir"));
    let params = file(
        Params::new().set_fd("DIR", o_path(&elsewhere)),
        &fixture,
        User::Root,
    )
    .set_fd("TOP", o_path(&fixture.path("top")))
    .set("BOTTOM", fixture.path("bottom"));
    let error = Command::new("/bin/true")
        .status_in(SOURCES.with(params))
        .unwrap_err();
    other.kill().unwrap();
    other.wait().unwrap();
    let error = error
        .get_ref()
        .unwrap()
        .downcast_ref::<mountns::Error>()
        .unwrap();
    assert_eq!(
        (error.step(), error.errno()),
        (Step::Descriptor, 22),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("a mount of the caller's own mount namespace")
    );
}

#[test]
fn a_files_descriptor_needs_root() {
    let fixture = fixture("file");
    let params = Params::new()
        .set("DIR", fixture.path("dir"))
        .set_fd("FILE", o_path(&fixture.path("file")))
        .set_fd("TOP", o_path(&fixture.path("top")))
        .set("BOTTOM", fixture.path("bottom"));
    let mut command = Command::new("/bin/true");
    as_user(&mut command, User::Nobody);
    let error = command.status_in(SOURCES.with(params)).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "mountns: bind param(FILE) on \"/file\": clone the tree of a descriptor: Not a \
             directory (os error 20); without root"
        ),
        "{error}"
    );
}

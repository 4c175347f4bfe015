//! Hostile sources: host directories whose contents an attacker controls (a previous
//! sandboxed run with a writable bind, another user), laid out to send a mount, or a
//! write, outside the new root. Each case runs as root and as uid 65534, then checks
//! that a canary tree on the host is unchanged, byte for byte, and that entering either
//! worked inside the new root or failed with an error naming the entry.
//!
//! Namespaces are declared with `namespace!`, so their paths are fixed: each test
//! (re)creates its own /tmp/mountns-hostile/<case>/ and removes it when done.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mountns::{CommandExt, Namespace, namespace};
use mountns_support::{ROLE, USERS, User, alone, as_user, rerun, role, root_or_skip, this_binary};

const ROOT: &str = "/tmp/mountns-hostile";

/// What every canary holds: a child that prints it has read the host's canary.
const SECRET: &str = "mountns-canary-secret";

const ENOENT: i32 = 2;
const EAGAIN: i32 = 11;
const ENOTDIR: i32 = 20;
const EISDIR: i32 = 21;
const ELOOP: i32 = 40;

namespace! {
    /// A writable bind of an attacker's directory, and a tmpfs nested under it. (The
    /// attacked targets sort after /proc, so /proc/self is there when they are mounted.)
    static BIND_NEST = {
        include mountns_support::profiles::SYSTEM;
        bind "/srv/" "/tmp/mountns-hostile/bind/src/";
        bind "/srv/a/b/" tmpfs;
    };
    static BIND_PLAIN = {
        include mountns_support::profiles::SYSTEM;
        bind "/srv/" "/tmp/mountns-hostile/bind/src/";
    };

    /// A writable union whose top layer is the attacker's (the bottom one has a real
    /// `a/b/`), and a tmpfs nested under it.
    static UNION_NEST = {
        include mountns_support::profiles::SYSTEM;
        bind "/u/" [
            "/tmp/mountns-hostile/union/src/",
            "/tmp/mountns-hostile/union/bottom/",
            tmpfs("size=1M"),
        ];
        bind "/u/a/b/" tmpfs;
    };
    static UNION_PLAIN = {
        include mountns_support::profiles::SYSTEM;
        bind "/u/" ["/tmp/mountns-hostile/union/src/", "/tmp/mountns-hostile/union/bottom/"];
    };

    /// A union whose mountpoint is in the attacker's bound directory: its lowest layer
    /// (the skeleton) is that mountpoint.
    static UNION_UNDER_BIND = {
        include mountns_support::profiles::SYSTEM;
        bind "/srv/" "/tmp/mountns-hostile/under/src/";
        bind "/srv/a/" ["/tmp/mountns-hostile/under/top/", "/tmp/mountns-hostile/under/bottom/"];
    };

    /// The same, with the directory that the escaping link names present in the new root
    /// too, so that resolving the mountpoint inside the root succeeds without a race.
    static UNION_ESCAPE = {
        include mountns_support::profiles::SYSTEM;
        bind "/box/" "/tmp/mountns-hostile/escape/src/";
        bind "/box/a/" ["/tmp/mountns-hostile/escape/top/", "/tmp/mountns-hostile/escape/bottom/"];
        bind "/oldroot/tmp/mountns-hostile/escape/canary/b/" tmpfs;
    };

    /// Flipped between a directory and a link while children enter.
    static RACE = {
        include mountns_support::profiles::SYSTEM;
        bind "/box/" "/tmp/mountns-hostile/race/src/";
        bind "/box/a/b/" tmpfs;
        bind "/box/u/" ["/tmp/mountns-hostile/race/top/", "/tmp/mountns-hostile/race/bottom/"];
    };

    static FILE_ON_DIRECTORY = {
        include mountns_support::profiles::SYSTEM;
        bind "/box/" "/tmp/mountns-hostile/types/file";
    };
    static DIRECTORY_ON_FILE = {
        include mountns_support::profiles::SYSTEM;
        bind "/box" "/tmp/mountns-hostile/types/dir/";
    };
    /// A file bind whose mountpoint is in the attacker's bound directory.
    static FILE_UNDER_BIND = {
        include mountns_support::profiles::SYSTEM;
        bind "/box/" "/tmp/mountns-hostile/types/src/";
        bind "/box/f" "/tmp/mountns-hostile/types/payload";
    };

    static CWD = {
        include mountns_support::profiles::SYSTEM;
        bind "/box/" "/tmp/mountns-hostile/cwd/src/";
    };

    /// A source reached through `..`, while other namespaces are being built.
    static DOTDOT = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/data/" "/tmp/mountns-hostile/dotdot/link/";
    };

    /// A tmpfs wanted below a link of a read-only bound tree (as Debian's
    /// /usr/lib/ssl/certs links to /etc/ssl/certs).
    static CERTS = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/box/" "/tmp/mountns-hostile/certs/src/";
        bind "/box/lib/ssl/certs/" tmpfs;
    };
    /// The same with a bind where the tmpfs was (found by its name in its directory).
    static CERTS_BIND = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/box/" "/tmp/mountns-hostile/certs/src/";
        bind "/box/lib/ssl/certs/" "/tmp/mountns-hostile/certs/empty/";
    };
    /// Binds whose sources lie side by side (the second found by its name in their
    /// directory) onto directories of a bound tree: both ends may be made links.
    static SIDE = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/p/" "/tmp/mountns-hostile/side/proj/";
        bind "/p/a/" "/tmp/mountns-hostile/side/d/a/";
        bind "/p/b/" "/tmp/mountns-hostile/side/d/b/";
    };
    /// The same onto directories of the new root's own tmpfs, which the skeleton made:
    /// only the source's end may be made a link.
    static SIDE_OWN = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/q/a/" "/tmp/mountns-hostile/side-own/d/a/";
        bind "/q/b/" "/tmp/mountns-hostile/side-own/d/b/";
    };
    /// The same on the host's own /usr, where that link may exist.
    static HOST_CERTS = {
        include mountns_support::profiles::SYSTEM;
        bind "/usr/lib/ssl/certs/" tmpfs;
    };

    /// A writable bind, and a tmpfs that masks a secret directory in it.
    static MASK = {
        include mountns_support::profiles::SYSTEM;
        bind "/w/" "/tmp/mountns-hostile/mask/src/";
        bind "/w/cfg/secret/" tmpfs;
    };

    /// Sources reached through a magic link.
    static MAGIC_BIND = {
        include mountns_support::profiles::SYSTEM;
        bind ro "/s/" "/tmp/mountns-hostile/magic/link/";
    };
    static MAGIC_UNION = {
        include mountns_support::profiles::SYSTEM;
        bind "/s/" ["/tmp/mountns-hostile/magic/link/", "/tmp/mountns-hostile/magic/dir/"];
    };
}

/// A file's type and contents, or a link's target: what `walk` records.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
    Other,
}

/// Each entry under a directory: its type, contents, mode and owner.
type Tree = BTreeMap<PathBuf, (Node, u32, u32, u32)>;

fn walk(root: &Path) -> Tree {
    let mut tree = Tree::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = fs::symlink_metadata(&path).unwrap();
        let kind = metadata.file_type();
        let node = if kind.is_dir() {
            for entry in fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
            Node::Dir
        } else if kind.is_file() {
            Node::File(fs::read(&path).unwrap())
        } else if kind.is_symlink() {
            Node::Link(fs::read_link(&path).unwrap())
        } else {
            Node::Other
        };
        let relative = path.strip_prefix(root).unwrap().to_path_buf();
        tree.insert(
            relative,
            (node, metadata.mode(), metadata.uid(), metadata.gid()),
        );
    }
    tree
}

fn host_mountinfo() -> String {
    fs::read_to_string("/proc/self/mountinfo").unwrap()
}

/// /tmp/mountns-hostile/<name>/, with a canary tree that uid 65534 could change too if
/// it ever reached it; removed on drop.
struct Case {
    dir: PathBuf,
    canary: Tree,
    mountinfo: String,
    runs: AtomicUsize,
}

impl Case {
    fn new(name: &str) -> Case {
        let dir = Path::new(ROOT).join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("logs")).unwrap();
        for path in [ROOT, dir.to_str().unwrap()] {
            chmod(path, 0o755);
        }
        let mut case = Case {
            dir,
            canary: Tree::new(),
            mountinfo: host_mountinfo(),
            runs: AtomicUsize::new(0),
        };
        case.dir("canary/b", 0o777);
        case.dir("canary/deep/er", 0o777);
        case.file("canary/secret", SECRET, 0o666);
        case.file("canary/b/inner", SECRET, 0o666);
        case.file("canary/deep/er/file", SECRET, 0o600);
        case.link("secret", "canary/link");
        chmod(&case.path("canary"), 0o777);
        case.canary = walk(&case.dir.join("canary"));
        case
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).to_str().unwrap().to_owned()
    }

    /// Creates the directory `rel` and its parents, each with `mode`.
    fn dir(&self, rel: &str, mode: u32) {
        let path = self.dir.join(rel);
        fs::create_dir_all(&path).unwrap();
        let mut dir = path.as_path();
        while dir != self.dir {
            chmod(dir.to_str().unwrap(), mode);
            dir = dir.parent().unwrap();
        }
    }

    fn file(&self, rel: &str, contents: &str, mode: u32) {
        fs::write(self.dir.join(rel), contents).unwrap();
        chmod(&self.path(rel), mode);
    }

    fn link(&self, target: &str, rel: &str) {
        symlink(target, self.dir.join(rel)).unwrap();
    }

    /// Removes `rel` whatever it is, then makes it an empty directory, 0755.
    fn reset(&self, rel: &str) {
        let path = self.dir.join(rel);
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_dir() => fs::remove_dir_all(&path).unwrap(),
            Ok(_) => fs::remove_file(&path).unwrap(),
            Err(_) => {}
        }
        self.dir(rel, 0o755);
    }

    /// For each plant: clears `paths`, plants, and enters `ns` running `script` as each
    /// user, which must give what the plant expects and leave the canary untouched.
    fn try_plants(&self, paths: &[&str], plants: &[Plant], ns: &'static Namespace, script: &str) {
        for &(name, plant, expect) in plants {
            for path in paths {
                self.reset(path);
                fs::remove_dir(self.path(path)).unwrap();
            }
            plant(self);
            for user in USERS {
                let what = format!("{}: {name} ({user:?})", paths.join(" and "));
                check(&self.enter(ns, script, user), expect, &what);
                self.assert_untouched(&what);
            }
        }
    }

    /// The canary is as it was made, and the host's mount table as it was then.
    fn assert_untouched(&self, what: &str) {
        assert_eq!(
            walk(&self.dir.join("canary")),
            self.canary,
            "{what}: the canary changed"
        );
        assert_eq!(
            host_mountinfo(),
            self.mountinfo,
            "{what}: the host's mounts changed"
        );
    }

    /// Runs `sh -c script` in `ns` as `user`: what it printed, or how entering failed.
    fn enter(&self, ns: &'static Namespace, script: &str, user: User) -> Outcome {
        self.enter_in(ns, script, user, |_| {})
    }

    fn enter_in(
        &self,
        ns: &'static Namespace,
        script: &str,
        user: User,
        setup: impl FnOnce(&mut Command),
    ) -> Outcome {
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let stdout = self.path(&format!("logs/{n}.out"));
        let stderr = self.path(&format!("logs/{n}.err"));
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).unwrap())
            .stderr(File::create(&stderr).unwrap());
        as_user(&mut command, user).namespace(ns);
        setup(&mut command);
        let status = command.status();
        let read = |path: &str| {
            let text = fs::read_to_string(path).unwrap();
            fs::remove_file(path).unwrap();
            text
        };
        let (stdout, stderr) = (read(&stdout), read(&stderr));
        match status {
            Ok(status) => Outcome::Ran {
                code: status.code(),
                stdout,
                stderr,
            },
            Err(error) => Outcome::Refused {
                errno: error.raw_os_error().unwrap(),
                stderr,
            },
        }
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        // The last case out removes the top directory.
        let _ = fs::remove_dir(ROOT);
    }
}

fn chmod(path: &str, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[derive(Debug)]
enum Outcome {
    Ran {
        code: Option<i32>,
        stdout: String,
        stderr: String,
    },
    Refused {
        errno: i32,
        stderr: String,
    },
}

/// What a case must do: run and print `stdout`, fail entering with `errno` and a
/// message naming the mount on `target`, or fail (ELOOP) naming the mount on `target`
/// and the symbolic link on its path.
/// What is planted in a case's directory (after [`Case::try_plants`] cleared the paths
/// it names), named, and what entering must then give.
type Plant = (&'static str, fn(&Case), Expect);

#[derive(Clone, Copy, Debug)]
enum Expect {
    Runs(&'static str),
    Refused(i32, &'static str),
    Link(&'static str, &'static str),
}

fn check(outcome: &Outcome, expect: Expect, what: &str) {
    match (outcome, expect) {
        (Outcome::Ran { code, stdout, .. }, Expect::Runs(expected)) => {
            assert_eq!(*code, Some(0), "{what}: {outcome:#?}");
            assert_eq!(stdout, expected, "{what}: {outcome:#?}");
        }
        (Outcome::Refused { errno, stderr }, Expect::Refused(expected, target)) => {
            assert_eq!(*errno, expected, "{what}: {outcome:#?}");
            // One line, naming the entry and the errno.
            assert!(
                stderr.starts_with("mountns: ")
                    && stderr.contains(&format!(" \"{target}\": "))
                    && stderr.contains(&format!("(os error {expected})"))
                    && stderr.lines().count() == 1,
                "{what}: {outcome:#?}"
            );
        }
        (Outcome::Refused { errno, stderr }, Expect::Link(target, link)) => {
            assert_eq!(*errno, ELOOP, "{what}: {outcome:#?}");
            let message = format!(
                " on \"{target}\": open mountpoint: \"{link}\" is a symbolic link inside the \
                 new root; bind its target instead\n"
            );
            assert!(
                stderr.starts_with("mountns: ")
                    && stderr.ends_with(&message)
                    && stderr.lines().count() == 1,
                "{what}: {outcome:#?}"
            );
        }
        _ => panic!("{what}: expected {expect:?}, got {outcome:#?}"),
    }
    if let Outcome::Ran { stdout, stderr, .. } = outcome {
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{what}: read the canary: {outcome:#?}"
        );
    }
}

/// Runs `test` with unions built from layer descriptors (this kernel), then again in a
/// child process that builds them from paths, as kernels without `lowerdir+` do (the
/// `mount(2)` option string): a path is looked up again by the kernel, a descriptor not.
fn on_both_union_paths(name: &str, test: impl Fn()) {
    if role().as_deref() == Some("legacy-unions") {
        mountns::force_legacy_unions(true);
        test();
        return;
    }
    test();
    let output = rerun(this_binary(), name, "legacy-unions")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "with unions from paths (legacy):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A named layout of a case's attacked directory, and what entering must do then.
type Setup = (&'static str, fn(&Case), Expect);

/// Sets the flag when dropped.
struct Stop<'a>(&'a AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A place for a mount, or a write, that an attacker has made something else.
struct Attack {
    name: &'static str,
    /// Makes `<attacked>/a` (the attacked directory is empty but for `real/b/`), given
    /// the attacked directory and where it is inside.
    setup: fn(&Case, &str, &str),
    expect: Expect,
}

/// The attacks on `<attacked>/a`, where the table wants the directory `a/b/` (inside the
/// new root: `<root>/a/b`, with `<root>/real/b/` beside it). Every link on the way is
/// refused, wherever it leads: `a` (at `link_a` inside) or `a/b` (at `target`).
fn attacks(target: &'static str, link_a: &'static str) -> Vec<Attack> {
    let refused = |errno| Expect::Refused(errno, target);
    let link_at_a = Expect::Link(target, link_a);
    vec![
        Attack {
            name: "a directory (no attack)",
            setup: |case, at, _| case.dir(&format!("{at}/a/b"), 0o755),
            expect: Expect::Runs("inside\n"),
        },
        Attack {
            name: "a link to a directory inside the new root",
            setup: |case, at, root| case.link(&format!("{root}/real"), &format!("{at}/a")),
            expect: link_at_a,
        },
        Attack {
            name: "an absolute link to the canary",
            setup: |case, at, _| case.link(&case.path("canary"), &format!("{at}/a")),
            expect: link_at_a,
        },
        Attack {
            name: "a relative link to the canary",
            setup: |case, at, _| {
                let up = "../".repeat(at.matches('/').count() + 1);
                case.link(&format!("{up}canary"), &format!("{at}/a"));
            },
            expect: link_at_a,
        },
        Attack {
            name: "a link climbing out through `..`",
            setup: |case, at, _| {
                let path = format!("{}{}", "../".repeat(12), case.path("canary"));
                case.link(&path, &format!("{at}/a"));
            },
            expect: link_at_a,
        },
        Attack {
            name: "a link through /proc/self/root",
            setup: |case, at, _| {
                let path = format!("/proc/self/root{}", case.path("canary"));
                case.link(&path, &format!("{at}/a"));
            },
            expect: link_at_a,
        },
        Attack {
            name: "a dangling link",
            setup: |case, at, _| case.link(&case.path("nowhere"), &format!("{at}/a")),
            expect: link_at_a,
        },
        Attack {
            name: "a link to itself",
            setup: |case, at, _| case.link("a", &format!("{at}/a")),
            expect: link_at_a,
        },
        Attack {
            name: "a link to a link to the canary",
            setup: |case, at, _| {
                case.link(&case.path("canary"), &format!("{at}/c"));
                case.link("c", &format!("{at}/a"));
            },
            expect: link_at_a,
        },
        Attack {
            name: "a file",
            setup: |case, at, _| case.file(&format!("{at}/a"), "file\n", 0o644),
            expect: refused(ENOTDIR),
        },
        Attack {
            name: "a directory whose `b` links to the canary",
            setup: |case, at, _| {
                case.dir(&format!("{at}/a"), 0o755);
                case.link(&case.path("canary/b"), &format!("{at}/a/b"));
            },
            expect: Expect::Link(target, target),
        },
        Attack {
            name: "a directory whose `b` is a file",
            setup: |case, at, _| {
                case.dir(&format!("{at}/a"), 0o755);
                case.file(&format!("{at}/a/b"), "file\n", 0o644);
            },
            expect: refused(ENOTDIR),
        },
    ]
}

/// Mounts a tmpfs on `<root>/a/b` through each attack, writes to it, then (in a
/// namespace without that mount) tries to write through each attacked path.
fn attack_nested_mount(
    case: &Case,
    attacked: &str,
    root: &'static str,
    target: &'static str,
    link_a: &'static str,
    nest: &'static Namespace,
    plain: &'static Namespace,
) {
    let write =
        format!("echo inside > {root}/a/b/written && cat {root}/a/b/written && ls {root}/real/b");
    // Every attacked path, and a read of where the canary would be.
    let write_through = format!(
        "for p in {root}/a {root}/a/b {root}/a/deep; do \
           echo pwned > $p/pwned; mkdir -p $p/pwned-dir; ln -s /etc $p/pwned-link; \
           chmod 777 $p; rm -f $p/secret $p/inner; \
         done 2>/dev/null; \
         cat {root}/a/secret {root}/a/b/inner {root}/a/link 2>/dev/null; echo done"
    );
    for attack in attacks(target, link_a) {
        case.reset(attacked);
        case.dir(&format!("{attacked}/real/b"), 0o755);
        (attack.setup)(case, attacked, root);
        for user in USERS {
            let what = format!("{attacked}/a is {} ({user:?})", attack.name);
            check(&case.enter(nest, &write, user), attack.expect, &what);
            let written = format!("{attacked}/real/b/written");
            assert!(!fs::exists(case.path(&written)).unwrap(), "{what}");
            let run = case.enter(plain, &write_through, user);
            check(&run, Expect::Runs("done\n"), &format!("{what}, writing"));
            case.assert_untouched(&what);
        }
        // The tmpfs hid the host's directory: the write went to it.
        if let Ok(entries) = fs::read_dir(case.path(&format!("{attacked}/a/b"))) {
            let names: Vec<_> = entries.map(|e| e.unwrap().file_name()).collect();
            assert!(!names.iter().any(|name| name == "written"), "{names:?}");
        }
    }
}

#[test]
fn links_in_a_bound_directory_keep_nested_mounts_inside() {
    let case = Case::new("bind");
    attack_nested_mount(
        &case,
        "src",
        "/srv",
        "/srv/a/b",
        "/srv/a",
        &BIND_NEST,
        &BIND_PLAIN,
    );
}

#[test]
fn links_in_a_union_layer_keep_nested_mounts_inside() {
    on_both_union_paths("links_in_a_union_layer_keep_nested_mounts_inside", || {
        let case = Case::new("union");
        // Without the attacker's top layer, `a/b/` would be a directory.
        case.dir("bottom/a/b", 0o755);
        attack_nested_mount(
            &case,
            "src",
            "/u",
            "/u/a/b",
            "/u/a",
            &UNION_NEST,
            &UNION_PLAIN,
        );
    });
}

#[test]
fn a_union_under_a_bound_directory_stays_inside() {
    on_both_union_paths("a_union_under_a_bound_directory_stays_inside", || {
        let case = Case::new("under");
        case.dir("top", 0o755);
        case.file("top/top-file", "top\n", 0o644);
        case.dir("bottom", 0o755);
        case.file("bottom/bottom-file", "bottom\n", 0o644);
        let script = "ls /srv/a/; cat /srv/a/secret /srv/a/inner 2>/dev/null; true";
        let attacks: [Setup; 6] = [
            (
                "a directory (no attack)",
                |case| case.dir("src/a", 0o755),
                Expect::Runs("bottom-file\ntop-file\n"),
            ),
            (
                "an absolute link to the canary",
                |case| case.link(&case.path("canary"), "src/a"),
                Expect::Link("/srv/a", "/srv/a"),
            ),
            (
                "a relative link to the canary",
                |case| case.link("../canary", "src/a"),
                Expect::Link("/srv/a", "/srv/a"),
            ),
            (
                "a link climbing out of the root to the canary",
                |case| case.link("../../oldroot/tmp/mountns-hostile/under/canary", "src/a"),
                Expect::Link("/srv/a", "/srv/a"),
            ),
            (
                "a link through /proc/self/root",
                |case| {
                    let path = format!("/proc/self/root{}", case.path("canary"));
                    case.link(&path, "src/a");
                },
                Expect::Link("/srv/a", "/srv/a"),
            ),
            (
                "a link to the top of the new root",
                |case| case.link("../..", "src/a"),
                Expect::Link("/srv/a", "/srv/a"),
            ),
        ];
        for (name, setup, expect) in attacks {
            case.reset("src");
            setup(&case);
            for user in USERS {
                let what = format!("src/a is {name} ({user:?})");
                check(&case.enter(&UNION_UNDER_BIND, script, user), expect, &what);
                case.assert_untouched(&what);
            }
        }
    });
}

#[test]
fn a_union_layer_is_never_a_host_directory_the_table_does_not_name() {
    // The skeleton layer of the union on /box/a is its mountpoint. Were the link
    // followed inside the new root (to the tmpfs's mountpoint), the layer must still not
    // be looked up again by path, where `..` climbs out of /newroot to the host's tree
    // at /oldroot. The link is refused before that.
    on_both_union_paths(
        "a_union_layer_is_never_a_host_directory_the_table_does_not_name",
        || {
            let case = Case::new("escape");
            case.dir("top", 0o755);
            case.file("top/top-file", "top\n", 0o644);
            case.dir("bottom", 0o755);
            case.dir("src", 0o755);
            case.link("../../oldroot/tmp/mountns-hostile/escape/canary", "src/a");
            for user in USERS {
                let run = case.enter(&UNION_ESCAPE, "ls /box/a/", user);
                check(&run, Expect::Link("/box/a", "/box/a"), &format!("{user:?}"));
                case.assert_untouched(&format!("{user:?}"));
            }
        },
    );
}

#[test]
fn a_link_swapped_in_while_entering_never_leads_outside() {
    on_both_union_paths(
        "a_link_swapped_in_while_entering_never_leads_outside",
        || {
            let case = Case::new("race");
            case.dir("src", 0o777);
            case.dir("top", 0o755);
            case.file("top/top-file", "top\n", 0o644);
            case.dir("bottom", 0o755);
            // Two places flip between a directory and a link: `a`, under which a tmpfs is
            // mounted, and `u`, on which a union is mounted (its skeleton layer).
            let flips = [
                ("src/a", "src/a.dir", case.path("canary")),
                (
                    "src/u",
                    "src/u.dir",
                    "../../oldroot/tmp/mountns-hostile/race/canary".to_owned(),
                ),
            ];
            for (_, dir, _) in &flips {
                case.dir(dir, 0o755);
            }
            case.dir("src/a.dir/b", 0o755);
            let stop = AtomicBool::new(false);
            let (entered, refused) = std::thread::scope(|scope| {
                // Stops the flipper even when an assertion below fails (the scope joins it).
                let _stop = Stop(&stop);
                let flipper = scope.spawn(|| {
                    let mut count = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for (path, dir, link) in &flips {
                            let (path, dir) = (case.path(path), case.path(dir));
                            // Directory, then missing, then a link, then missing.
                            let _ = fs::rename(&path, &dir);
                            let _ = symlink(link, &path);
                            let _ = fs::remove_file(&path);
                            let _ = fs::rename(&dir, &path);
                        }
                        count += 1;
                    }
                    count
                });
                let deadline = Instant::now() + Duration::from_secs(2);
                let (mut entered, mut refused) = (0, 0);
                for user in USERS.into_iter().collect::<Vec<_>>().iter().cycle() {
                    if Instant::now() > deadline {
                        break;
                    }
                    let outcome = case.enter(
                        &RACE,
                        "echo x > /box/a/b/written; ls /box/u/ /box/a/b/; \
                     cat /box/u/secret /box/a/b/inner 2>/dev/null; true",
                        *user,
                    );
                    match &outcome {
                        Outcome::Ran { stdout, .. } => {
                            entered += 1;
                            assert!(!stdout.contains(SECRET), "{user:?}: {outcome:#?}");
                            assert!(!stdout.contains("inner"), "{user:?}: {outcome:#?}");
                        }
                        Outcome::Refused { errno, stderr } => {
                            refused += 1;
                            // Entering may fail (the path is missing, or a link, or
                            // openat2 saw the rename race a `..`), never land elsewhere.
                            assert!(
                                [ENOENT, ELOOP, ENOTDIR, EAGAIN].contains(errno)
                                    && (stderr.contains("\"/box/a/b\"")
                                        || stderr.contains("\"/box/u\"")),
                                "{user:?}: {outcome:#?}"
                            );
                        }
                    }
                }
                stop.store(true, Ordering::Relaxed);
                assert!(flipper.join().unwrap() > 0);
                (entered, refused)
            });
            eprintln!("race: {entered} entered, {refused} refused");
            assert!(entered + refused > 20, "{entered} + {refused}");
            case.assert_untouched("after the race");
            for dir in ["src/a", "src/a.dir"] {
                assert!(!fs::exists(case.path(&format!("{dir}/b/written"))).unwrap());
            }
        },
    );
}

#[test]
fn a_file_where_a_directory_is_expected_and_the_reverse() {
    let case = Case::new("types");
    case.file("file", "file\n", 0o644);
    case.dir("dir", 0o755);
    for user in USERS {
        let what = format!("{user:?}");
        let outcome = case.enter(&FILE_ON_DIRECTORY, "true", user);
        check(&outcome, Expect::Refused(EISDIR, "/box"), &what);
        let outcome = case.enter(&DIRECTORY_ON_FILE, "true", user);
        check(&outcome, Expect::Refused(ENOTDIR, "/box"), &what);
    }
    // The file mountpoint /box/f, inside the attacker's directory.
    case.file("payload", "payload\n", 0o666);
    let script = "cat /box/f; echo written > /box/f; cat /box/f /box/secret 2>/dev/null; true";
    let attacks: [Setup; 6] = [
        (
            "a file (no attack)",
            |case| case.file("src/f", "", 0o644),
            Expect::Runs("payload\nwritten\n"),
        ),
        (
            "an absolute link to the canary's file",
            |case| case.link(&case.path("canary/secret"), "src/f"),
            Expect::Runs("payload\nwritten\n"),
        ),
        (
            "a relative link to the canary's file",
            |case| case.link("../canary/secret", "src/f"),
            Expect::Runs("payload\nwritten\n"),
        ),
        (
            "a dangling link",
            |case| case.link("/nowhere", "src/f"),
            Expect::Runs("payload\nwritten\n"),
        ),
        (
            "a directory",
            |case| case.dir("src/f", 0o755),
            Expect::Refused(EISDIR, "/box/f"),
        ),
        ("missing", |_| {}, Expect::Refused(ENOENT, "/box/f")),
    ];
    for (name, setup, expect) in attacks {
        case.reset("src");
        setup(&case);
        let link = fs::read_link(case.path("src/f")).ok();
        for user in USERS {
            case.file("payload", "payload\n", 0o666);
            let what = format!("src/f is {name} ({user:?})");
            check(&case.enter(&FILE_UNDER_BIND, script, user), expect, &what);
            case.assert_untouched(&what);
            // A link is covered by the file, not followed, and stays a link.
            assert_eq!(fs::read_link(case.path("src/f")).ok(), link, "{what}");
        }
    }
}

#[test]
fn a_source_through_a_magic_link_is_refused() {
    // `/proc/self/root` would be the host's root (or, in a user namespace, anything
    // the caller's root can see) by a path that looks like the fixture's.
    on_both_union_paths("a_source_through_a_magic_link_is_refused", || {
        let case = Case::new("magic");
        case.dir("dir", 0o755);
        case.link(&format!("/proc/self/root{}", case.path("canary")), "link");
        for user in USERS {
            for (ns, entry) in [(&MAGIC_BIND, "bind"), (&MAGIC_UNION, "union")] {
                let what = format!("{entry} ({user:?})");
                let outcome = case.enter(ns, "ls /s; cat /s/secret", user);
                check(&outcome, Expect::Refused(ELOOP, "/s"), &what);
                let Outcome::Refused { stderr, .. } = outcome else {
                    unreachable!()
                };
                assert!(
                    stderr.starts_with(&format!(
                        "mountns: {entry} \"/tmp/mountns-hostile/magic/link\" on \"/s\": open source: "
                    )),
                    "{what}: {stderr}"
                );
                case.assert_untouched(&what);
            }
        }
    });
}

#[test]
fn a_working_directory_outside_the_namespace_is_left_behind() {
    // runc CVE-2024-21626: a child must not keep a directory of the host as its cwd.
    let case = Case::new("cwd");
    case.dir("src", 0o755);
    case.link(&case.path("canary"), "src/a");
    for cwd in [
        case.path("canary"),
        case.path("src/a"),
        case.path("canary/deep"),
    ] {
        for user in USERS {
            let what = format!("cwd {cwd} ({user:?})");
            let outcome = case.enter_in(
                &CWD,
                "pwd; readlink /proc/self/cwd; ls; cat secret ../secret 2>/dev/null; \
                 echo pwned > pwned; true",
                user,
                |command| {
                    command.current_dir(&cwd);
                },
            );
            let expected = "/\n/\nbin\nbox\ndev\netc\nlib\nlib64\nproc\nusr\n";
            check(&outcome, Expect::Runs(expected), &what);
            case.assert_untouched(&what);
        }
    }
}

#[test]
fn a_source_through_dotdot_is_found_while_other_mounts_happen() {
    // openat2(RESOLVE_IN_ROOT) fails with EAGAIN when a mount or a rename anywhere on
    // the system races with a `..` it resolves; other namespaces being built are such
    // mounts. The caller is meant to retry.
    let case = Case::new("dotdot");
    case.dir("real", 0o755);
    case.file("real/data", "data\n", 0o644);
    case.link("../dotdot/real", "link");
    let stop = AtomicBool::new(false);
    let failures = std::thread::scope(|scope| {
        let _stop = Stop(&stop);
        // Mounts elsewhere: other children entering namespaces.
        let racer = USERS.into_iter().next().unwrap_or(User::Nobody);
        let (case, stop) = (&case, &stop);
        scope.spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                case.enter(&mountns_support::profiles::SYSTEM, "true", racer);
            }
        });
        let mut failures = Vec::new();
        for _ in 0..100 {
            for user in USERS {
                match case.enter(&DOTDOT, "cat /data/data", user) {
                    Outcome::Ran {
                        code: Some(0),
                        stdout,
                        ..
                    } if stdout == "data\n" => {}
                    outcome => failures.push((user, outcome)),
                }
            }
        }
        failures
    });
    assert!(
        failures.is_empty(),
        "{} of 200 failed: {failures:#?}",
        failures.len()
    );
    case.assert_untouched("dotdot");
}

#[test]
fn a_fake_proc_is_never_written() {
    // runc CVE-2019-16884: with a tmpfs over /proc holding files named like the id maps,
    // the rootless path must refuse to write them. Re-run under `unshare -m`, whose
    // shell fakes /proc in that namespace only.
    if role().as_deref() == Some("fake-proc") {
        // stderr is inherited: the parent checks mountns's message.
        let mut command = Command::new("/bin/true");
        as_user(&mut command, User::Nobody).namespace(&mountns_support::profiles::SYSTEM);
        let error = command.status().unwrap_err();
        assert_eq!(error.raw_os_error(), Some(18), "{error}");
        // Nothing was written through the fake.
        for file in ["setgroups", "uid_map", "gid_map"] {
            let contents = fs::read_to_string(format!("/proc/self/{file}")).unwrap();
            assert_eq!(contents, "", "{file}");
        }
        println!("refused");
        return;
    }
    if !root_or_skip("it fakes /proc in a mount namespace of root's") {
        return;
    }
    let fake = "mount -t tmpfs mountns-fake-proc /proc && mkdir -m 777 /proc/self \
                && for f in setgroups uid_map gid_map; do \
                     : > /proc/self/$f && chmod 666 /proc/self/$f; done \
                && exec \"$@\"";
    let output = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            fake,
            "sh",
        ])
        .arg(this_binary())
        .args(alone("a_fake_proc_is_never_written"))
        .env(ROLE, "fake-proc")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success()
            && stdout.contains("refused")
            && stderr.contains(
                "mountns: write /proc/self/setgroups: Invalid cross-device link (os error 18); \
                 /proc is not a procfs; refusing to write to it"
            ),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn a_mountpoint_behind_a_link_of_a_bound_tree_is_refused() {
    let case = Case::new("certs");
    case.dir("src/etc/ssl/certs", 0o755);
    case.file("src/etc/ssl/certs/ca.pem", "certificate\n", 0o644);
    let setups: [Setup; 3] = [
        (
            "a directory (no link)",
            |case| case.dir("src/lib/ssl/certs", 0o755),
            Expect::Runs("ca.pem\n"),
        ),
        (
            "a link to a directory beside it",
            |case| {
                case.dir("src/lib", 0o755);
                case.link("../etc/ssl", "src/lib/ssl");
            },
            Expect::Link("/box/lib/ssl/certs", "/box/lib/ssl"),
        ),
        (
            "itself a link",
            |case| {
                case.dir("src/lib/ssl", 0o755);
                case.link("../../etc/ssl/certs", "src/lib/ssl/certs");
            },
            Expect::Link("/box/lib/ssl/certs", "/box/lib/ssl/certs"),
        ),
    ];
    case.dir("empty", 0o755);
    for (name, setup, expect) in setups {
        case.reset("src/lib");
        setup(&case);
        for (table, kind) in [(&CERTS, "a tmpfs"), (&CERTS_BIND, "a bind")] {
            for user in USERS {
                // Were the link followed, the mount would hide /box/etc/ssl/certs.
                let what = format!("src/lib/ssl is {name}, under {kind} ({user:?})");
                let outcome = case.enter(table, "ls /box/etc/ssl/certs", user);
                check(&outcome, expect, &what);
                case.assert_untouched(&what);
            }
        }
    }
    // The same on the host, where /usr/lib/ssl/certs is a link on Debian.
    let host = Path::new("/usr/lib/ssl/certs");
    if fs::symlink_metadata(host).is_ok_and(|m| m.file_type().is_symlink()) {
        for user in USERS {
            let outcome = case.enter(&HOST_CERTS, "ls /etc/ssl/certs | grep -c .", user);
            let expect = Expect::Link("/usr/lib/ssl/certs", "/usr/lib/ssl/certs");
            check(&outcome, expect, &format!("the host's link ({user:?})"));
        }
    } else {
        eprintln!(
            "{} is not a link here: the host case is skipped",
            host.display()
        );
    }
}

#[test]
fn a_link_at_both_ends_of_a_bind_found_by_name_is_refused() {
    let case = Case::new("side");
    case.dir("d/a", 0o755);
    case.dir("proj/a", 0o755);
    let plants: [Plant; 3] = [
        (
            "directories (no attack)",
            |case| {
                case.dir("d/b", 0o755);
                case.file("d/b/inside", "inside\n", 0o644);
                case.dir("proj/b", 0o755);
            },
            Expect::Runs("inside\n"),
        ),
        (
            "a link at the source and at the mountpoint",
            |case| {
                case.link(&case.path("canary"), "d/b");
                case.link(&case.path("canary"), "proj/b");
            },
            Expect::Link("/p/b", "/p/b"),
        ),
        (
            "a link to /proc/self/root at the source, a link at the mountpoint",
            |case| {
                case.link("/proc/self/root", "d/b");
                case.link("/proc/self/root", "proj/b");
            },
            Expect::Link("/p/b", "/p/b"),
        ),
    ];
    case.try_plants(&["d/b", "proj/b"], &plants, &SIDE, "cat /p/b/inside");
}

#[test]
fn a_source_found_by_name_is_never_attached_onto_the_skeleton_unless_a_directory() {
    // The mountpoint /q/b is a directory the skeleton made in the new root's own
    // tmpfs, and the kernel attaches nothing but a directory onto a directory: what is
    // planted at the source takes the usual way, which follows a host link to a
    // directory (as for any source) and refuses the rest.
    let case = Case::new("side-own");
    case.dir("d/a", 0o755);
    case.dir("other", 0o755);
    case.file("other/inside", "other\n", 0o644);
    let plants: [Plant; 5] = [
        (
            "a directory (no attack)",
            |case| {
                case.dir("d/b", 0o755);
                case.file("d/b/inside", "inside\n", 0o644);
            },
            Expect::Runs("inside\n"),
        ),
        (
            "a link to a directory, followed as the usual way follows it",
            |case| case.link(&case.path("other"), "d/b"),
            Expect::Runs("other\n"),
        ),
        (
            "a link to the canary's file",
            |case| case.link(&case.path("canary/secret"), "d/b"),
            Expect::Refused(EISDIR, "/q/b"),
        ),
        (
            "a link to /proc/self/root",
            |case| case.link("/proc/self/root", "d/b"),
            Expect::Refused(ELOOP, "/q/b"),
        ),
        (
            "a file",
            |case| case.file("d/b", SECRET, 0o644),
            Expect::Refused(EISDIR, "/q/b"),
        ),
    ];
    // A link attached at /q/b would show as one.
    let script = "test -d /q/b && ! test -L /q/b && cat /q/b/inside";
    case.try_plants(&["d/b"], &plants, &SIDE_OWN, script);
}

#[test]
fn a_link_planted_for_the_next_run_is_refused() {
    let case = Case::new("mask");
    for user in USERS {
        case.reset("src");
        case.dir("src/cfg/secret", 0o755);
        case.file("src/cfg/secret/key", SECRET, 0o644);
        case.dir("src/decoy", 0o755);
        chmod(&case.path("src"), 0o777);
        chmod(&case.path("src/cfg"), 0o777);
        // The first run sees the mask, and plants a link where the masked path was.
        let plant = "ls -A /w/cfg/secret/; cat /w/cfg/secret/key 2>/dev/null; \
                     mv /w/cfg /w/cfg2 && ln -s /w/decoy /w/cfg && echo planted";
        let what = format!("first run ({user:?})");
        check(
            &case.enter(&MASK, plant, user),
            Expect::Runs("planted\n"),
            &what,
        );
        // The next one does not start: the tmpfs would land on the decoy.
        let what = format!("next run ({user:?})");
        let outcome = case.enter(&MASK, "cat /w/cfg2/secret/key; true", user);
        check(&outcome, Expect::Link("/w/cfg/secret", "/w/cfg"), &what);
        assert_eq!(
            fs::read_to_string(case.path("src/cfg2/secret/key")).unwrap(),
            SECRET
        );
        case.assert_untouched(&what);
    }
}

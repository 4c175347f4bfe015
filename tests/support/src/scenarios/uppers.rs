//! Unions whose writes persist in the host's upper and work directories
//! (`upper(..)`), as bubblewrap's `--overlay`: scenarios that both ways of making an
//! overlay must pass, `tests/unions/persistent.rs` with the kernel's newest API,
//! `tests/unions/legacy.rs` through mount(2)'s option string. Each returns the union's
//! line of mountinfo, for its caller to check the route.

use std::fs;

use mountns::{Params, namespace};

use crate::{Fixture, User, sh_stdout};

namespace! {
    /// bubblewrap's `--overlay-src lower1 --overlay-src lower2 --overlay upper work`,
    /// its layers chosen when entering: lower2 on top of lower1.
    pub static PERSISTENT = {
        include crate::BASE;
        bind "/x/" [param(TOP), param(BOTTOM), upper(param(UPPER), param(WORK))];
        bind "/proc/";
    };

    /// The same with one layer, for names holding `"`, `:`, `,`, `\` and a space.
    pub static ONE_LAYER = {
        include crate::BASE;
        bind "/x/" [param(TOP), upper(param(UPPER), param(WORK))];
        bind "/proc/";
    };
}

/// The directories `names` under `root` (made afresh), each given to uid 65534 when
/// `user` is it (an unprivileged union copies up only files of mapped owners), with
/// the files `(path, content)`.
pub fn fixture(root: &str, user: User, names: &[&str], files: &[(&str, &str)]) -> Fixture {
    let fixture = Fixture::at(root);
    for name in names {
        fixture.dir(name);
    }
    for (path, content) in files {
        fixture.file(path, content);
    }
    if user == User::Nobody {
        for path in names.iter().chain(files.iter().map(|(path, _)| path)) {
            fixture.share(path);
        }
    }
    fixture
}

/// The line of `/x` in a mountinfo text.
fn line(mountinfo: &str) -> String {
    mountinfo
        .lines()
        .find(|line| line.split(' ').nth(4) == Some("/x"))
        .unwrap_or_default()
        .to_owned()
}

/// bubblewrap's "--overlay" case: the upper's file over the layers', the top layer's
/// over the bottom's, a write landing in the host's upper and still there on the next
/// run, a removal too; the layers unchanged.
pub fn writes_persist(user: User) -> String {
    let root = format!("/tmp/mountns-runtime/persist-{user:?}");
    let fixture = fixture(
        &root,
        user,
        &["lower1", "lower2", "upper", "work"],
        &[
            ("lower1/a", "1"),
            ("lower1/b", "2"),
            ("lower2/b", "3"),
            ("upper/a", "4"),
        ],
    );
    let params = Params::new()
        .set("TOP", fixture.path("lower2"))
        .set("BOTTOM", fixture.path("lower1"))
        .set("UPPER", fixture.path("upper"))
        .set("WORK", fixture.path("work"));
    let script = "cat /x/a /x/b; echo; printf 5 > /x/b; cat /x/b; echo; cat /proc/self/mountinfo";
    let seen = sh_stdout(PERSISTENT.with(params.clone()), script, user);
    assert!(seen.starts_with("43\n5\n"), "{user:?}: {seen}");
    assert_eq!(fs::read_to_string(fixture.path("upper/b")).unwrap(), "5");
    let again = sh_stdout(
        PERSISTENT.with(params.clone()),
        "cat /x/b; rm /x/a; ls /x",
        user,
    );
    assert_eq!(again, "5b\n", "{user:?}");
    assert_eq!(
        sh_stdout(PERSISTENT.with(params.clone()), "ls /x", user),
        "b\n",
        "{user:?}"
    );
    for (path, content) in [("lower1/a", "1"), ("lower1/b", "2"), ("lower2/b", "3")] {
        assert_eq!(fs::read_to_string(fixture.path(path)).unwrap(), content);
    }
    line(&seen)
}

/// bubblewrap's "--overlay path escaping" case: names with `"`, `:`, `,`, `\` and a
/// space as the layer, the upper and the work directory.
pub fn escaped_names(user: User) -> String {
    let root = format!("/tmp/mountns-runtime/escaped-upper-{user:?}");
    let (lower, upper, work) = ("lower \":,\\", "upper \":,\\", "work \":,\\");
    let fixture = fixture(
        &root,
        user,
        &[lower, upper, work],
        &[("lower \":,\\/a", "1")],
    );
    let params = Params::new()
        .set("TOP", fixture.path(lower))
        .set("UPPER", fixture.path(upper))
        .set("WORK", fixture.path(work));
    let script = "cat /x/a; printf 2 > /x/a; cat /x/a; echo; cat /proc/self/mountinfo";
    let seen = sh_stdout(ONE_LAYER.with(params.clone()), script, user);
    assert!(seen.starts_with("12\n"), "{user:?}: {seen}");
    assert_eq!(
        fs::read_to_string(fixture.path("lower \":,\\/a")).unwrap(),
        "1"
    );
    assert_eq!(
        fs::read_to_string(fixture.path("upper \":,\\/a")).unwrap(),
        "2"
    );
    line(&seen)
}

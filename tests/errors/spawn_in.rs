//! `CommandExt::spawn_in`, `status_in` and `output_in`: when entering fails, the
//! `io::Error` they return displays the whole message and holds the `mountns::Error`;
//! a program missing inside is named; the child writes nothing to its stderr. Each
//! case as root and as uid 65534, in child processes.

use std::fs::{self, File};
use std::io;
use std::process::{Command, Stdio};

use mountns::{CommandExt, Ids, Namespace, Step, namespace};
use mountns_support::{
    Fixture, USERS, User, as_user, fixed_fixtures, launcher, rerun_line, role, root_or_skip,
    where_user_namespaces_are_refused,
};

/// Host files the declarations below name.
const FIXTURES: &str = "/tmp/mountns-spawn-in";

namespace! {
    static MISSING_SOURCE = {
        bind "/data/" "/tmp/mountns-spawn-in/no-such-source/";
    };

    /// A file source on a directory target.
    static FILE_ON_A_DIRECTORY = {
        bind "/data/" "/tmp/mountns-spawn-in/a-file";
    };

    /// A directory source on a file target.
    static DIRECTORY_ON_A_FILE = {
        bind "/data" "/tmp/mountns-spawn-in/a-directory/";
    };

    /// A root user needs no user namespace for this, unless it lacks `CAP_SYS_ADMIN`.
    static NEEDS_USERNS = {
        bind ro "/usr/";
    };
}

/// The ways to spawn into a namespace.
#[derive(Clone, Copy, Debug)]
enum Method {
    Spawn,
    Status,
    Output,
}

const METHODS: [Method; 3] = [Method::Spawn, Method::Status, Method::Output];

impl Method {
    fn run(self, command: &mut Command, ns: &'static Namespace) -> io::Result<()> {
        match self {
            Method::Spawn => command.spawn_in(ns)?.wait().map(drop),
            Method::Status => command.status_in(ns).map(drop),
            Method::Output => command.output_in(ns).map(drop),
        }
    }
}

fn fixtures() {
    fixed_fixtures(FIXTURES, "a-directory", "a-file");
}

/// Runs `program` in `ns` as each user with each method, expecting an error each time:
/// `check` gets it. The child's stderr goes to a file, which must stay empty.
fn each_error(ns: &'static Namespace, program: &str, check: impl Fn(&str, &io::Error)) {
    fixtures();
    let fixture = Fixture::new();
    for user in USERS {
        for method in METHODS {
            let what = format!("{method:?} as {user:?}");
            let log = fixture.path("stderr");
            let mut command = Command::new(program);
            command
                .stdin(Stdio::null())
                .stderr(File::create(&log).unwrap());
            as_user(&mut command, user);
            let error = match method.run(&mut command, ns) {
                Ok(()) => panic!("{what}: ran"),
                Err(error) => error,
            };
            check(&what, &error);
            assert_eq!(
                fs::read_to_string(&log).unwrap(),
                "",
                "{what}: the child wrote"
            );
        }
    }
}

/// The `mountns::Error` an `io::Error` holds.
fn entering(what: &str, error: &io::Error) -> mountns::Error {
    *error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<mountns::Error>())
        .unwrap_or_else(|| panic!("{what}: not a mountns::Error: {error:?}"))
}

#[test]
fn a_missing_source_is_named() {
    each_error(&MISSING_SOURCE, "/bin/true", |what, error| {
        assert_eq!(
            error.to_string(),
            "mountns: bind \"/tmp/mountns-spawn-in/no-such-source\" on \"/data\": open source: \
             No such file or directory (os error 2)",
            "{what}"
        );
        assert_eq!(error.kind(), io::ErrorKind::NotFound, "{what}");
        let error = entering(what, error);
        assert_eq!(error.step(), Step::Source, "{what}");
        assert_eq!(error.errno(), 2, "{what}");
        assert_eq!(error.target(), Some(c"/data"), "{what}");
        assert_eq!(
            error.source(),
            Some(c"/tmp/mountns-spawn-in/no-such-source"),
            "{what}"
        );
    });
}

#[test]
fn a_file_where_a_directory_is_wanted_and_the_reverse_are_named() {
    each_error(&FILE_ON_A_DIRECTORY, "/bin/true", |what, error| {
        assert_eq!(
            error.to_string(),
            "mountns: bind \"/tmp/mountns-spawn-in/a-file\" on \"/data\": compare source and \
             mountpoint: Is a directory (os error 21); a file cannot be bound on a directory; \
             declare the target without a trailing slash",
            "{what}"
        );
        let error = entering(what, error);
        assert_eq!(
            (error.step(), error.errno()),
            (Step::FileType, 21),
            "{what}"
        );
    });
    each_error(&DIRECTORY_ON_A_FILE, "/bin/true", |what, error| {
        assert!(
            error
                .to_string()
                .starts_with("mountns: bind \"/tmp/mountns-spawn-in/a-directory\" on \"/data\""),
            "{what}: {error}"
        );
        let error = entering(what, error);
        assert_eq!(
            (error.step(), error.errno()),
            (Step::FileType, 20),
            "{what}"
        );
    });
}

#[test]
fn a_missing_program_is_named() {
    let program = "/tmp/mountns-spawn-in/no-such-program";
    each_error(
        &mountns_support::profiles::SYSTEM,
        program,
        |what, error| {
            assert_eq!(
                error.to_string(),
                format!("mountns: exec \"{program}\": No such file or directory (os error 2)"),
                "{what}"
            );
            assert_eq!(error.kind(), io::ErrorKind::NotFound, "{what}");
        },
    );
}

#[test]
fn the_as_forms_report_the_same() {
    if !root_or_skip("the _in_as forms switch to uid 65534") {
        return;
    }
    fixtures();
    let ids = || Ids::new(65534, 65534);
    let results = [
        Command::new("/bin/true")
            .spawn_in_as(&MISSING_SOURCE, ids())
            .map(drop),
        Command::new("/bin/true")
            .status_in_as(&MISSING_SOURCE, ids())
            .map(drop),
        Command::new("/bin/true")
            .output_in_as(&MISSING_SOURCE, ids())
            .map(drop),
    ];
    for result in results {
        let error = result.expect_err("entering must fail");
        let inner = entering("as", &error);
        assert_eq!((inner.step(), inner.errno()), (Step::Source, 2), "{error}");
    }
}

/// The hook a call adds stays in the command but acts only during that call: calling
/// again enters once, and a plain spawn afterwards does not enter.
#[test]
fn the_hook_acts_only_during_its_call() {
    for user in USERS {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "ls / | tr '\\n' ' '"]);
        as_user(&mut command, user);
        for _ in 0..2 {
            let output = command
                .output_in(&mountns_support::profiles::SYSTEM)
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "bin dev etc lib lib64 proc usr ",
                "as {user:?}: {output:?}"
            );
        }
        let outside = command.output().unwrap();
        assert!(
            String::from_utf8_lossy(&outside.stdout).contains("tmp"),
            "as {user:?}: {outside:?}"
        );
    }
}

/// The child of `refused_user_namespaces_are_reported`: tries each method.
fn launch() {
    for method in METHODS {
        let error = method
            .run(&mut Command::new("/bin/true"), &NEEDS_USERNS)
            .expect_err("entering must fail");
        let inner = entering("launched", &error);
        println!("{method:?}: {:?} {} {error}", inner.step(), inner.errno());
    }
}

#[test]
fn refused_user_namespaces_are_reported() {
    if role().as_deref() == Some("launch") {
        return launch();
    }
    if !root_or_skip("it makes a user namespace that refuses others, as root") {
        return;
    }
    let fixture = Fixture::new();
    let run = rerun_line(
        &launcher(&fixture),
        "refused_user_namespaces_are_reported",
        "launch",
    );
    for user in USERS {
        // Root without CAP_SYS_ADMIN takes the unprivileged route, a user namespace.
        let setpriv = match user {
            User::Root => "setpriv --bounding-set=-sys_admin",
            User::Nobody => "setpriv --reuid=65534 --regid=65534 --clear-groups",
        };
        let output = where_user_namespaces_are_refused(&format!("exec {setpriv} {run}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "as {user:?}: {output:?}");
        for method in METHODS {
            let line = stdout
                .lines()
                .find(|line| line.starts_with(&format!("{method:?}: ")))
                .unwrap_or_else(|| panic!("as {user:?}, no {method:?}: {stdout}"));
            assert!(
                line.contains(
                    "UserNamespace 28 mountns: create a user and mount namespace: \
                     No space left on device (os error 28); this system refuses unprivileged \
                     user namespaces; allow them with sysctl"
                ),
                "as {user:?}: {line}"
            );
        }
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "as {user:?}");
    }
}

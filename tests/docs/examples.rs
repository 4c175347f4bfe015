//! The examples run as written: the README's opening example and its build sandbox
//! (each the very text the README shows), the Python sandbox and the root launcher. Each
//! runs in a child process, a copy of this test binary that calls the example's `main`
//! with the example's arguments: so this test has its own `main()` (no harness), which
//! runs the tests, or, in the role named after an example, that example. As root and as uid
//! 65534 (without root, as the caller).

/// Each example's code in a module of its name, with a way in to its private `main`.
macro_rules! examples {
    ($($name:ident),*) => {$(
        mod $name {
            include!(concat!("../../examples/", stringify!($name), ".rs"));

            pub(super) fn run() -> std::process::ExitCode {
                std::process::Termination::report(main())
            }
        }
    )*};
}

examples!(build, python, readme, runas);

use std::fs;
use std::io::Write as _;
use std::process::{Command, ExitCode, Output, Stdio};

use mountns_support::{
    Fixture, ROLE, USERS, User, as_user, described, launcher, nobody, role, run_tests,
};

fn main() -> ExitCode {
    // A child runs the example its role names.
    if let Some(example) = role() {
        return match example.as_str() {
            "readme" => readme::run(),
            "build" => build::run(),
            "python" => python::run(),
            "runas" => runas::run(),
            _ => ExitCode::FAILURE,
        };
    }
    let tests: [(&str, fn()); 5] = [
        (
            "the_readme_shows_the_examples_as_they_are",
            the_readme_shows_the_examples_as_they_are,
        ),
        (
            "the_opening_example_runs_a_shell_in_a_sandbox",
            the_opening_example_runs_a_shell_in_a_sandbox,
        ),
        (
            "the_build_example_builds_a_c_project",
            the_build_example_builds_a_c_project,
        ),
        (
            "the_python_example_runs_a_script_confined",
            the_python_example_runs_a_script_confined,
        ),
        (
            "the_root_launcher_runs_a_program_as_another_user",
            the_root_launcher_runs_a_program_as_another_user,
        ),
    ];
    run_tests(&tests);
    ExitCode::SUCCESS
}

/// Runs `example` with `args` as `user`, in `dir`, with `stdin`: a copy of this test
/// binary that uid 65534 may execute.
fn example(
    name: &str,
    args: &[&str],
    user: User,
    dir: &str,
    stdin: &str,
    fixture: &Fixture,
) -> Output {
    let mut command = Command::new(launcher(fixture));
    command
        .args(args)
        .current_dir(dir)
        .env(ROLE, name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = as_user(&mut command, user).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The code of the example `file`, without its header comment: what the README shows.
fn code(file: &str) -> String {
    let text =
        fs::read_to_string(format!("{}/examples/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let code: Vec<&str> = text
        .lines()
        .skip_while(|line| line.starts_with("//"))
        .skip_while(|line| line.is_empty())
        .collect();
    code.join("\n") + "\n"
}

/// The README's Rust code blocks, in order.
fn readme_blocks() -> Vec<String> {
    let readme = fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    for line in readme.lines() {
        match (&mut block, line) {
            (None, "```rust") => block = Some(String::new()),
            (Some(_), "```") => blocks.extend(block.take()),
            (Some(text), line) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn the_readme_shows_the_examples_as_they_are() {
    let blocks = readme_blocks();
    assert_eq!(blocks[0], code("readme.rs"), "README's first example");
    assert!(
        blocks.contains(&code("build.rs")),
        "README's build sandbox is not examples/build.rs:\n{}",
        code("build.rs")
    );
}

fn the_opening_example_runs_a_shell_in_a_sandbox() {
    let fixture = Fixture::new();
    // The shell reads its commands from stdin: a write to /etc lands in the union's
    // tmpfs, the new root holds only what the table mounts.
    let script = "echo written > /etc/mountns-readme; cat /etc/mountns-readme; ls /; \
                  cat /proc/1/comm; exit 3\n";
    for user in USERS {
        let output = example("readme", &[], user, "/", script, &fixture);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{user:?}: {}",
            described(&output)
        );
        // Pid 1 is a fork of the copy of this test binary: its name, `launcher-N`.
        let stdout = String::from_utf8_lossy(&output.stdout);
        let (listing, comm) = stdout.trim_end().rsplit_once('\n').unwrap_or_default();
        assert_eq!(
            listing, "written\nbin\ndev\netc\nlib\nlib64\nproc\ntmp\nusr",
            "{user:?}"
        );
        assert!(comm.starts_with("launcher-"), "{user:?}: {stdout}");
        assert!(!fs::exists("/etc/mountns-readme").unwrap());
    }
}

fn the_build_example_builds_a_c_project() {
    let fixture = Fixture::new();
    let project = fixture.dir("project");
    fixture.file(
        "project/hello.c",
        "#include <stdio.h>\nint main(void) { puts(\"hello from the sandbox\"); return 0; }\n",
    );
    fixture.file(
        "project/Makefile",
        "hello: hello.c\n\tcc -o hello hello.c\n\ncheck: hello\n\t./hello\n",
    );
    for user in USERS {
        // The project's owner: root, or the user the build runs as.
        if user == User::Nobody {
            for path in ["project", "project/hello.c", "project/Makefile"] {
                let owner = Some(nobody());
                std::os::unix::fs::chown(fixture.path(path), owner, owner).unwrap();
            }
        }
        let output = example("build", &["check"], user, &project, "", &fixture);
        assert!(output.status.success(), "{user:?}: {}", described(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "cc -o hello hello.c\n./hello\nhello from the sandbox\n",
            "{user:?}"
        );
        // The build's writes stayed in the tmpfs.
        assert!(
            !fs::exists(fixture.path("project/hello")).unwrap(),
            "{user:?}"
        );
    }
}

/// A script that looks around: where it runs, with what, and what it may do.
const SCRIPT: &str = r#"
import ctypes, os, socket, sys
print(os.getcwd(), sys.argv[1:])
print(sorted(os.environ))
with open("/tmp/scratch", "w") as out:
    out.write("ok")
print("tmp", open("/tmp/scratch").read())
try:
    open("/work/written", "w")
except OSError as error:
    print("work", error.errno)
print("interfaces", [name for _, name in socket.if_nameindex()])
libc = ctypes.CDLL(None, use_errno=True)
print("mount", libc.mount(None, None, None, 0, None), ctypes.get_errno())
"#;

fn the_python_example_runs_a_script_confined() {
    let fixture = Fixture::new();
    fixture.file("scripts/look.py", SCRIPT);
    for user in USERS {
        let output = example(
            "python",
            &["look.py", "one", "two"],
            user,
            &fixture.path("scripts"),
            "",
            &fixture,
        );
        assert!(output.status.success(), "{user:?}: {}", described(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            // The script's directory read-only, only `lo`, and mount refused (EPERM).
            "/work ['one', 'two']\n['HOME', 'LANG', 'PATH']\ntmp ok\nwork 30\n\
             interfaces ['lo']\nmount -1 1\n",
            "{user:?}"
        );
    }
}

fn the_root_launcher_runs_a_program_as_another_user() {
    let fixture = Fixture::new();
    let args = [
        "65534",
        "65534",
        "/bin/sh",
        "-c",
        "id -u; id -g; grep CapEff /proc/self/status",
    ];
    for user in USERS {
        let output = example("runas", &args, user, "/", "", &fixture);
        if user == User::Root {
            assert!(output.status.success(), "{}", described(&output));
            assert_eq!(
                String::from_utf8_lossy(&output.stdout),
                "65534\n65534\nCapEff:\t0000000000000000\n"
            );
        } else {
            // Switching ids needs root: the launcher says so.
            assert_eq!(output.status.code(), Some(127), "{}", described(&output));
            assert!(
                String::from_utf8_lossy(&output.stderr).starts_with(
                    "runas: mountns: switch user and group ids: Operation not permitted"
                ),
                "{}",
                described(&output)
            );
        }
    }
}

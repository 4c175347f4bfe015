//! Unions through the mount(2) option string of kernels before 6.8, forced with
//! `force_legacy_unions`. A test binary of its own: the switch is process-wide.

mod common;

use std::fs;

use common::*;

fn legacy() {
    mountns_runtime::force_legacy_unions(true);
}

struct Layers {
    _fixture: Fixture,
    a: String,
    b: String,
    c: String,
}

fn layers(a: &str, b: &str) -> Layers {
    let fixture = Fixture::new();
    let a = fixture.dir(a);
    fs::write(format!("{a}/a.txt"), "A\n").unwrap();
    fs::write(format!("{a}/both.txt"), "from a\n").unwrap();
    let b = fixture.dir(b);
    fs::write(format!("{b}/b.txt"), "B\n").unwrap();
    fs::write(format!("{b}/both.txt"), "from b\n").unwrap();
    let c = fixture.dir("c");
    fs::write(format!("{c}/c.txt"), "C\n").unwrap();
    // Owned by uid 65534, so that it can change it through a union (copy-up).
    std::os::unix::fs::chown(format!("{a}/both.txt"), Some(65534), Some(65534)).unwrap();
    Layers {
        _fixture: fixture,
        a,
        b,
        c,
    }
}

fn check(run: &Run, user: User, stdout: &str) {
    assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
    assert_eq!(run.stdout, stdout, "{user:?}: {run:#?}");
}

#[test]
fn read_only_union() {
    legacy();
    let layers = layers("a", "b");
    let ns = namespace(vec![
        union("/opt/u", &[&layers.a, &layers.b], None),
        bind("/proc", "/proc"),
    ]);
    for user in USERS {
        let run = sh(
            ns,
            "cat /opt/u/a.txt /opt/u/b.txt /opt/u/both.txt; ls /opt/u; \
             grep -c ' /opt/u .*lowerdir=/l0:/l1:/l2' /proc/self/mountinfo; touch /opt/u/new",
            user,
        );
        assert_eq!(run.code, Some(1), "{user:?}: {run:#?}");
        assert_eq!(
            run.stdout, "A\nB\nfrom a\na.txt\nb.txt\nboth.txt\n1\n",
            "{user:?}: {run:#?}"
        );
        assert!(
            run.stderr.contains("Read-only file system"),
            "{user:?}: {run:#?}"
        );
    }
}

#[test]
fn writable_union_with_escaped_layer_names() {
    legacy();
    let layers = layers("a,b:c\\d", "e:f");
    let ns = namespace(vec![
        union("/opt/u", &[&layers.a, &layers.b], Some(3)),
        bind("/proc", "/proc"),
    ]);
    for user in USERS {
        let run = sh(
            ns,
            "echo new > /opt/u/new.txt && echo changed > /opt/u/both.txt && \
             cat /opt/u/new.txt /opt/u/both.txt /opt/u/b.txt && ls / && \
             grep ' /opt/u ' /proc/self/mountinfo",
            user,
        );
        assert_eq!(run.code, Some(0), "{user:?}: {run:#?}");
        let expected = "new\nchanged\nB\nbin\nlib\nlib64\nopt\nproc\nusr\n";
        assert!(run.stdout.starts_with(expected), "{user:?}: {run:#?}");
        assert!(
            run.stdout.contains("upperdir=/u3/upper,workdir=/u3/work"),
            "{run:#?}"
        );
        assert!(!run.stdout.contains("lowerdir+"), "{run:#?}");
    }
    assert_eq!(
        fs::read_to_string(format!("{}/both.txt", layers.a)).unwrap(),
        "from a\n"
    );
    assert!(!fs::exists(format!("{}/new.txt", layers.a)).unwrap());
}

#[test]
fn bind_nested_in_a_union() {
    legacy();
    let layers = layers("a", "b");
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
}

#[test]
fn long_layer_names_fit_in_a_page() {
    // Layers go by staged names (/l0, /l1, ...), whatever their own length.
    legacy();
    let fixture = Fixture::new();
    let long = "l".repeat(200);
    let lowers: Vec<String> = (0..30)
        .map(|i| fixture.dir(&format!("{long}-{i:02}")))
        .collect();
    fs::write(format!("{}/top", lowers[0]), "top\n").unwrap();
    let lowers: Vec<&str> = lowers.iter().map(String::as_str).collect();
    let ns = namespace(vec![union("/opt/u", &lowers, None)]);
    for user in USERS {
        check(&sh(ns, "cat /opt/u/top", user), user, "top\n");
    }
}

#[test]
fn options_longer_than_a_page_are_refused() {
    // More layers than overlayfs takes (the macro stops at 499): their staged names
    // overflow the page first.
    legacy();
    let fixture = Fixture::new();
    let lowers: Vec<String> = (0..800).map(|i| fixture.dir(&format!("{i}"))).collect();
    let lowers: Vec<&str> = lowers.iter().map(String::as_str).collect();
    let ns = namespace(vec![union("/opt/u", &lowers, None)]);
    for user in USERS {
        let (error, stderr) = spawn_error(ns, user, &fixture);
        assert_eq!(error.raw_os_error(), Some(7), "{user:?}: {error}");
        assert_eq!(
            stderr,
            "mountns: union on \"/opt/u\": mount overlay with mount(2): \
             Argument list too long (os error 7); the overlay options exceed a page, \
             the most mount(2) takes; kernels from 6.8 take layers one at a time instead\n"
        );
    }
}

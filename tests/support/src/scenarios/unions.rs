//! Union scenarios that both ways of making an overlay must pass:
//! `tests/mounts/kinds.rs` runs them with the kernel's newest API,
//! `tests/unions/legacy.rs` through mount(2)'s option string. Each returns what differs
//! between the two, for its caller to check.

use std::fs;

use mountns::{Kind, Mount, namespace};

use crate::{Fixture, Layers, Run, User, each_user};

/// One of thirty layers whose names are 200 bytes long: past the option string's
/// page, were they not staged under short names.
macro_rules! long {
    ($i:literal) => {
        concat!("/tmp/mountns-runtime/long/llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll-", $i, "/")
    };
}

namespace! {
    static READ_ONLY = {
        include crate::BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/read-only/a/", "/tmp/mountns-runtime/read-only/b/"];
        bind "/proc/";
    };

    /// Three writable unions sort before /opt/u, which so has the upper of index 3.
    static ESCAPED = {
        include crate::BASE;
        bind "/opt/t1/" ["/tmp/mountns-runtime/escaped/c/", tmpfs];
        bind "/opt/t2/" ["/tmp/mountns-runtime/escaped/c/", tmpfs];
        bind "/opt/t3/" ["/tmp/mountns-runtime/escaped/c/", tmpfs];
        bind "/opt/u/" ["/tmp/mountns-runtime/escaped/a,b:c\\d/", "/tmp/mountns-runtime/escaped/e:f/", tmpfs];
        bind "/proc/";
    };

    static NESTED_READ_ONLY = {
        include crate::BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/nested/a/", "/tmp/mountns-runtime/nested/b/"];
        bind "/opt/u/inner/" "/tmp/mountns-runtime/nested/c/";
    };

    static NESTED_WRITABLE = {
        include crate::BASE;
        bind "/opt/u/" ["/tmp/mountns-runtime/nested/a/", "/tmp/mountns-runtime/nested/b/", tmpfs];
        bind "/opt/u/inner/" "/tmp/mountns-runtime/nested/c/";
    };

    static LONG_NAMES = {
        include crate::BASE;
        bind "/opt/u/" [
            long!("00"),
            long!("01"),
            long!("02"),
            long!("03"),
            long!("04"),
            long!("05"),
            long!("06"),
            long!("07"),
            long!("08"),
            long!("09"),
            long!("10"),
            long!("11"),
            long!("12"),
            long!("13"),
            long!("14"),
            long!("15"),
            long!("16"),
            long!("17"),
            long!("18"),
            long!("19"),
            long!("20"),
            long!("21"),
            long!("22"),
            long!("23"),
            long!("24"),
            long!("25"),
            long!("26"),
            long!("27"),
            long!("28"),
            long!("29")
        ];
    };
}

/// The stdout that followed the expected one, for each user.
fn rest(runs: Vec<(User, Run)>) -> Vec<(User, String)> {
    runs.into_iter()
        .map(|(user, run)| (user, run.stdout))
        .collect()
}

/// A read-only union shows both layers, the first declared on top, and takes no
/// writes. The union's line of /proc/self/mountinfo, as each user saw it.
pub fn read_only_union() -> Vec<(User, String)> {
    let _layers = Layers::at("/tmp/mountns-runtime/read-only");
    let runs = each_user(
        &READ_ONLY,
        "cat /opt/u/a.txt /opt/u/b.txt /opt/u/both.txt; ls /opt/u; \
         grep ' /opt/u ' /proc/self/mountinfo; touch /opt/u/new",
        1,
        "A\nB\nfrom a\na.txt\nb.txt\nboth.txt\n",
    );
    for (user, run) in &runs {
        let refused = run.stderr.contains("Read-only file system");
        assert!(refused, "{user:?}: {run:#?}");
        assert!(
            run.stdout.contains(" ro,nosuid,nodev,"),
            "{user:?}: {run:#?}"
        );
    }
    rest(runs)
}

/// A writable union whose layers' names hold the option string's separators (`,`,
/// `:`, `\`) keeps its writes off the host. The union's line of mountinfo.
pub fn escaped_layer_names() -> Vec<(User, String)> {
    let layers = Layers::named("/tmp/mountns-runtime/escaped", "a,b:c\\d", "e:f");
    let both = format!("{}/both.txt", layers.a);
    layers.fixture.share("a,b:c\\d/both.txt");
    let runs = each_user(
        &ESCAPED,
        "echo new > /opt/u/new.txt && echo changed > /opt/u/both.txt && \
         cat /opt/u/new.txt /opt/u/both.txt /opt/u/b.txt && ls / && \
         grep ' /opt/u ' /proc/self/mountinfo",
        0,
        "new\nchanged\nB\nbin\nlib\nlib64\nopt\nproc\nusr\n",
    );
    assert_eq!(fs::read_to_string(&both).unwrap(), "from a\n");
    assert!(!fs::exists(format!("{}/new.txt", layers.a)).unwrap());
    for (user, run) in &runs {
        assert!(
            run.stdout.contains(" rw,nosuid,nodev,"),
            "{user:?}: {run:#?}"
        );
    }
    rest(runs)
}

/// A bind under a union finds its mountpoint in the skeleton, the lowest layer, and
/// never in a host layer.
pub fn bind_nested_in_a_union() {
    let layers = Layers::at("/tmp/mountns-runtime/nested");
    for ns in [&NESTED_READ_ONLY, &NESTED_WRITABLE] {
        let script = "cat /opt/u/inner/c.txt; ls /opt/u";
        each_user(ns, script, 0, "C\na.txt\nb.txt\nboth.txt\ninner\n");
    }
    assert!(!fs::exists(layers.fixture.path("a/inner")).unwrap());
    assert!(!fs::exists(layers.fixture.path("b/inner")).unwrap());
}

/// Thirty layers of long names: more than a page of option string.
pub fn long_layer_names() {
    let fixture = Fixture::at("/tmp/mountns-runtime/long");
    // The layers are the ones declared.
    let union = LONG_NAMES.mounts().iter().find(|m| m.target() == c"/opt/u");
    let Some(Kind::Union { lowers, .. }) = union.map(Mount::kind) else {
        panic!("{LONG_NAMES}");
    };
    let name = |i: usize| {
        let mountns::Source::Host(path) = lowers[i] else {
            panic!("{LONG_NAMES}");
        };
        path.to_str().unwrap().rsplit('/').next().unwrap()
    };
    for i in 0..lowers.len() {
        fixture.file(&format!("{}/{i:02}", name(i)), "");
    }
    fixture.file(&format!("{}/top", name(0)), "top\n");
    each_user(
        &LONG_NAMES,
        "cat /opt/u/top; ls /opt/u | wc -l",
        0,
        "top\n31\n",
    );
}

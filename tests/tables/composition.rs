//! One invocation and several agree: statements that reach one target twice, some
//! through includes of other `namespace!` invocations (of this crate or another), make
//! the table that the same statements make in one invocation, and enter alike.
//! Constants and packages are the hard case: the macro cannot compare their values
//! across invocations; const evaluation does. (A conflict, one source with two sets of
//! flags, is a compile error either way: `tests/compile/tests/ui/`.)

use mountns::__private::skeleton;
use mountns::{Kind, Namespace, Source, namespace};
use mountns_support::each_user;
use mountns_support::profiles::constants::{BASE_FILES, HOSTS, ZONES};

/// Another constant of the same value as `HOSTS`.
const HOSTS_AGAIN: &str = "/etc/hosts";

namespace! {
    /// Each source twice, in one invocation.
    static ONE = {
        include mountns_support::profiles::SYSTEM;
        bind "/etc/x" HOSTS;
        bind "/etc/x" HOSTS;
        bind "/z/" ZONES;
        bind "/z/" ZONES;
        bind "/p/" BASE_FILES;
        bind "/p/" BASE_FILES;
        bind "/h" "/etc/hosts";
        bind "/h" HOSTS_AGAIN;
    };
}

namespace! {
    /// The first of one pair, in another invocation of this crate.
    static FIRST = { bind "/h" "/etc/hosts"; };
}

namespace! {
    /// The same statements, the first of each pair in another invocation (in the
    /// support crate's profiles, or `FIRST` above).
    static SPLIT = {
        include mountns_support::profiles::SYSTEM;
        include mountns_support::profiles::constants::HOSTS_FILE;
        bind "/etc/x" HOSTS;
        include mountns_support::profiles::constants::TREES;
        bind "/z/" ZONES;
        bind "/p/" BASE_FILES;
        include FIRST;
        bind "/h" HOSTS_AGAIN;
    };
}

#[test]
fn several_invocations_make_the_table_of_one() {
    assert_eq!(ONE.mounts(), SPLIT.mounts(), "{ONE}\n{SPLIT}");
    assert_eq!(skeleton(&ONE), skeleton(&SPLIT));
    let find = |ns: &'static Namespace, target: &std::ffi::CStr| {
        *ns.mounts().iter().find(|m| m.target() == target).unwrap()
    };
    for ns in [&ONE, &SPLIT] {
        // A file bound twice is one file bind.
        for target in [c"/etc/x", c"/h"] {
            let mount = find(ns, target);
            assert!(!mount.is_dir(), "{target:?} in\n{ns}");
            assert_eq!(
                mount.kind(),
                Kind::Bind {
                    source: Source::Host(c"/etc/hosts")
                },
                "{ns}"
            );
        }
        // A directory is one directory bind; a package with its input, one union.
        let zones = find(ns, c"/z");
        assert!(zones.is_dir());
        assert_eq!(
            zones.kind(),
            Kind::Bind {
                source: Source::Host(c"/usr/share/zoneinfo")
            }
        );
        let Kind::Union { lowers, upper } = find(ns, c"/p").kind() else {
            panic!("{ns}");
        };
        assert_eq!(
            lowers,
            [
                Source::Host(c"/usr/share/base-files"),
                Source::Host(c"/usr/share/dpkg")
            ]
        );
        assert_eq!(upper, None);
    }
}

#[test]
fn several_invocations_enter_as_one() {
    let script =
        "stat -c '%n %F' /etc/x /h /z /p; head -c 9 /etc/x; echo; ls /p | head -c 200 | wc -l";
    let mut seen = Vec::new();
    for ns in [&ONE, &SPLIT] {
        for (user, run) in each_user(ns, script, 0, "") {
            seen.push(run.stdout.clone());
            assert!(
                run.stdout.starts_with(
                    "/etc/x regular file\n/h regular file\n/z directory\n/p directory\n"
                ),
                "{user:?}: {run:#?}"
            );
        }
    }
    assert!(seen.windows(2).all(|pair| pair[0] == pair[1]), "{seen:#?}");
}

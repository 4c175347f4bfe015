//! The exposure report of the README's sandbox, compared with the file checked in
//! beside this test (`tests/tables/exposure/sandbox.txt`): a change to the table shows up as a
//! diff of what it exposes. `MOUNTNS_BLESS=1 cargo test --test exposure` writes the
//! file anew; review the diff before committing it. The README shows the same recipe
//! for a user's own tables.

use mountns::namespace;
use mountns_support::profiles::readme::BOX;

namespace! {
    /// The README's sandbox, held to what it promises, with a project directory chosen at run time.
    static GUARDED = {
        include mountns_support::profiles::readme::BOX;
        bind "/src/" [param(PROJECT), tmpfs("size=100M")];
        bind "/srv/" ["/srv/a/", "/srv/b/"];
        bind "/data/" "/srv/data/";
        new_session;
        assert hidden ["/home/", "/root/", "/etc/ssh/"];
        assert readonly except ["/data/"];
        assert unshared [net, pid];
        assert no_dev;
    };
}

/// Compares `report` with the file `name`, or writes it with `MOUNTNS_BLESS=1`.
fn compare(report: &str, name: &str) {
    let path = format!(
        "{}/tests/tables/exposure/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("MOUNTNS_BLESS").is_some() {
        std::fs::write(&path, report).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        report == expected,
        "the exposure report differs from {path} (MOUNTNS_BLESS=1 writes it anew):\n{report}"
    );
}

#[test]
fn the_sandbox_exposes_what_its_file_says() {
    compare(&BOX.exposure().to_string(), "sandbox.txt");
}

#[test]
fn a_guarded_sandbox_exposes_what_its_file_says() {
    compare(&GUARDED.exposure().to_string(), "guarded.txt");
}

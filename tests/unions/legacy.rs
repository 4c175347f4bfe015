//! Unions through the mount(2) option string of kernels before 6.8, forced with
//! `force_legacy_unions`. A test binary of its own: the switch is process-wide.

use mountns_support::scenarios::{roots, unions, uppers};
use mountns_support::*;

fn legacy() {
    mountns_runtime::force_legacy_unions(true);
}

#[test]
fn read_only_union() {
    legacy();
    for (user, line) in unions::read_only_union() {
        // Staged names, the skeleton lowest.
        assert!(line.contains("lowerdir=/l0:/l1:/l2"), "{user:?}: {line}");
    }
}

#[test]
fn writable_union_with_escaped_layer_names() {
    legacy();
    for (user, line) in unions::escaped_layer_names() {
        assert!(
            line.contains("upperdir=/u3/upper,workdir=/u3/work"),
            "{user:?}: {line}"
        );
        assert!(!line.contains("lowerdir+"), "{user:?}: {line}");
    }
}

#[test]
fn persistent_union_with_escaped_names() {
    legacy();
    for user in USERS {
        // The host's upper and work directories by their descriptors' magic links, so
        // no name of theirs is parsed from the string.
        for line in [uppers::writes_persist(user), uppers::escaped_names(user)] {
            assert!(line.contains("lowerdir=/l"), "{user:?}: {line}");
        }
    }
}

#[test]
fn bind_nested_in_a_union() {
    legacy();
    unions::bind_nested_in_a_union();
}

#[test]
fn long_layer_names_fit_in_a_page() {
    // Layers go by staged names (/l0, /l1, ...), whatever their own length.
    legacy();
    unions::long_layer_names();
}

#[test]
fn root_unions() {
    legacy();
    roots::package_union();
    roots::writable_root();
    roots::design_card();
    roots::root_bind();
    roots::tmpfs_root();
    roots::overlapping_layers("mount overlay with mount(2)");
}

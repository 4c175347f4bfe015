//! Mounts on `/`: a union of package trees as the root, a writable root, and the
//! example that defines mountns, entered for real in children as root and as uid
//! 65534. `legacy.rs` runs the same scenarios through mount(2)'s option string.

use mountns_support::scenarios::roots;

#[test]
fn a_union_of_packages_is_the_root() {
    roots::package_union();
}

#[test]
fn a_host_directory_is_the_root() {
    roots::root_bind();
}

#[test]
fn a_tmpfs_is_the_root() {
    roots::tmpfs_root();
}

#[test]
fn a_writable_root_keeps_the_host_trees() {
    roots::writable_root();
}

#[test]
fn the_design_example_runs() {
    roots::design_card();
}

#[test]
fn overlapping_layers_are_named() {
    roots::overlapping_layers("mount overlay");
}

//! The README's table of syscall groups is the crate's.

#[test]
fn the_readme_lists_each_groups_calls() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = mountns_seccomp::groups::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's table of groups differs from the crate's; put this in it:\n{table}"
    );
}

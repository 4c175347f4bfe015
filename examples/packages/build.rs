//! Writes `packages.rs` into OUT_DIR: one `mountns::Package` constant per store item of
//! `closure.txt` and per directory of `trees/`, so that nobody writes store hashes by
//! hand.
//!
//! `closure.txt` is what `guix gc -R ITEM` or `nix-store -qR ITEM` prints, with ITEM
//! itself put first (`{ echo $ITEM; guix gc -R $ITEM; } > closure.txt`): `CLOSURE` is
//! that item, propagating every other. A listing names no edges, so each item stands
//! alone; `CLOSURE` brings them all, each once.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = env::var("CARGO_MANIFEST_DIR").unwrap();
    let mut out = String::new();

    let listing = Path::new(&dir).join("closure.txt");
    println!("cargo::rerun-if-changed={}", listing.display());
    let text = fs::read_to_string(&listing).unwrap();
    let mut items: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        if !items.contains(&line) {
            items.push(line);
        }
    }
    for (i, item) in items.iter().enumerate().skip(1) {
        let _ = writeln!(
            out,
            "/// `{item}`\npub const ITEM_{i}: mountns::Package = mountns::Package::new({item:?}, &[]);"
        );
    }
    if let Some(root) = items.first() {
        let inputs: Vec<String> = (1..items.len()).map(|i| format!("&ITEM_{i}")).collect();
        let _ = writeln!(
            out,
            "/// `{root}` and its closure.\npub const CLOSURE: mountns::Package = mountns::Package::new({root:?}, &[{}]);",
            inputs.join(", ")
        );
    }

    // Each directory of trees/ (an unpacked image layer, a rootfs) is a package of its
    // own, named after it.
    let trees = Path::new(&dir).join("trees");
    println!("cargo::rerun-if-changed={}", trees.display());
    let mut names: Vec<_> = fs::read_dir(&trees)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_str().unwrap();
        let name = name
            .to_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        let path = path.to_str().unwrap();
        let _ = writeln!(
            out,
            "/// `{path}`\npub const {name}: mountns::Package = mountns::Package::new({path:?}, &[]);"
        );
    }

    let target = Path::new(&env::var("OUT_DIR").unwrap()).join("packages.rs");
    fs::write(target, out).unwrap();
}

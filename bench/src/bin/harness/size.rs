//! Binary sizes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::report::{Report, capture};
use crate::{BWRAP, Config};

pub(crate) fn size(path: &Path) -> u64 {
    fs::metadata(path).map_or(0, |m| m.len())
}

pub(crate) fn kb(bytes: u64) -> String {
    format!("{:.0} KB", bytes as f64 / 1024.0)
}

pub(crate) fn sizes(config: &Config, report: &mut Report) {
    report.line("## Size");
    report.line("");
    report.line("| binary | size | linked | shared libraries it needs | total |");
    report.line("| --- | ---: | --- | --- | ---: |");
    for (label, name) in [
        ("mountns `exec` example, static, stripped", "exec"),
        ("mountns `tiny` example (no std, no libc), stripped", "tiny"),
        (
            "mountns `bench-exec` (all bench namespaces), static, stripped",
            "bench-exec",
        ),
        ("floor.c, `gcc -O2 -static`, stripped", "floor"),
    ] {
        let path = config.bin.join(name);
        let bytes = size(&path);
        let linked = if capture(&["file", "-L", &path.to_string_lossy()]).contains("static") {
            "static"
        } else {
            "see `file`"
        };
        report.line(format!(
            "| {label} | {} | {linked} | none | {} |",
            kb(bytes),
            kb(bytes)
        ));
    }
    let bwrap = size(Path::new(BWRAP));
    let mut libraries = Vec::new();
    let mut total = bwrap;
    for line in capture(&["ldd", BWRAP]).lines() {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux... (0x...)"
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.split_whitespace().next(),
            None => line
                .split_whitespace()
                .next()
                .filter(|p| p.starts_with('/')),
        };
        if let Some(path) = path {
            let real = fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
            let bytes = size(&real);
            total += bytes;
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            libraries.push(format!("{name} {}", kb(bytes)));
        }
    }
    for name in ["exec", "tiny"] {
        let bytes = size(&config.bin.join(name));
        report.summary(
            &format!("size: static stripped `{name}` vs bwrap + its shared libraries"),
            kb(bytes),
            format!("{} + {}", kb(bwrap), kb(total - bwrap)),
            Some(bytes as f64 / total as f64),
        );
    }
    report.line(format!(
        "| bubblewrap `{BWRAP}` (Debian, stripped) | {} | dynamic | {} | {} |",
        kb(bwrap),
        libraries.join(", "),
        kb(total)
    ));
    report.line("");
}

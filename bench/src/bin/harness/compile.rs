//! The compile time of `namespace!`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use mountns_bench::ROOT;

use crate::Config;
use crate::measure::{Shuffle, ms, percentile, us};
use crate::report::Report;

/// `cargo check` of a crate with a `namespace!` of N statements, against the same
/// crate without it.
pub(crate) fn compile(config: &Config, report: &mut Report) {
    let dir = Path::new(ROOT).join("compile");
    let target = dir.join("target");
    let mountns = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let sizes = [0usize, 10, 100, 1000];
    let mut crates = Vec::new();
    for n in sizes {
        let root = dir.join(format!("check-{n}"));
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(
            root.join("Cargo.toml"),
            format!(
                "[package]\nname = \"check-{n}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
                 [workspace]\n\n[dependencies]\nmountns = {{ path = {:?} }}\n",
                mountns.display().to_string()
            ),
        )
        .unwrap();
        // The bench's own lock file: the versions `bench/run` has just built and
        // downloaded, so `--offline` finds them.
        let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
        let _ = fs::copy(lock, root.join("Cargo.lock"));
        let mut main = String::new();
        if n == 0 {
            main.push_str("use mountns as _;\n\nfn main() {\n    println!(\"{}\", 0);\n}\n");
        } else {
            main.push_str("mountns::namespace! {\n    static NS = {\n");
            for i in 0..n {
                writeln!(
                    main,
                    "        bind ro \"/compile/d{i}/\" \"/srv/compile/d{i}\";"
                )
                .unwrap();
            }
            main.push_str(
                "    };\n}\n\nfn main() {\n    println!(\"{}\", NS.mounts().len());\n}\n",
            );
        }
        fs::write(root.join("src/main.rs"), &main).unwrap();
        crates.push((n, root, main));
    }
    let check = |root: &Path| {
        let start = Instant::now();
        let status = Command::new("cargo")
            .args(["check", "--quiet", "--offline", "--target-dir"])
            .arg(&target)
            .current_dir(root)
            .env_remove("RUSTFLAGS")
            .status()
            .expect("run cargo");
        assert!(status.success(), "cargo check in {} failed", root.display());
        start.elapsed().as_secs_f64()
    };
    eprint!("compile time: warming up the dependencies... ");
    for (_, root, _) in &crates {
        check(root);
    }
    let rounds = if config.quick { 2 } else { 15 };
    let mut times: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    let mut shuffle = Shuffle(3);
    let mut order: Vec<usize> = (0..crates.len()).collect();
    for _ in 0..rounds {
        shuffle.shuffle(&mut order);
        for &i in &order {
            let (n, root, main) = &crates[i];
            // Rewriting the file gives it a new mtime: the crate (only) is checked again.
            fs::write(root.join("src/main.rs"), main).unwrap();
            times.entry(*n).or_default().push(check(root));
        }
        eprint!(".");
    }
    eprintln!(" {rounds} rounds");
    report.line("## Compile time: `cargo check` of a crate with one `namespace!` of N statements");
    report.line("");
    report.line(format!(
        "Statements like `bind ro \"/compile/d7/\" \"/srv/compile/d7\";`; dependencies already built; \
         median of {rounds} interleaved runs of `cargo check` after touching `src/main.rs`. \
         N = 0 is the same crate without the macro."
    ));
    report.line("");
    report.line("| N | `cargo check` | added by `namespace!` | per statement |");
    report.line("| ---: | ---: | ---: | ---: |");
    let base = percentile(&times[&0], 0.5);
    for (n, t) in &times {
        let m = percentile(t, 0.5);
        let (added, per) = if *n == 0 {
            ("–".to_owned(), "–".to_owned())
        } else {
            (ms(m - base), us((m - base) / *n as f64))
        };
        report.line(format!("| {n} | {} | {added} | {per} |", ms(m)));
    }
    report.line("");
    let added = percentile(&times[&1000], 0.5) - base;
    report.summary(
        "`cargo check` time added by 1000 statements",
        ms(added),
        "–".into(),
        None,
    );
    report.target(
        "1000 statements add < 1 s to `cargo check`",
        ms(added),
        added < 1.0,
    );
}

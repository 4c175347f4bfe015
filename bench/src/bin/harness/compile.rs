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
    let sizes = [0usize, 10, 100, 1000, 10_000];
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
    let macro_times = macro_times(&crates, &target, if config.quick { 1 } else { 5 });
    report.line("## Compile time: `cargo check` of a crate with one `namespace!` of N statements");
    report.line("");
    report.line(format!(
        "Statements like `bind ro \"/compile/d7/\" \"/srv/compile/d7\";`; dependencies already built; \
         median of {rounds} interleaved runs of `cargo check` after touching `src/main.rs`. \
         N = 0 is the same crate without the macro. Macro time: rustc's own \
         `macro_expand_crate` pass (`-Z time-passes`, through `RUSTC_BOOTSTRAP=1`), the \
         median of a few runs: the macro's work, without rustc's checking of the table it \
         writes. The curve is `bench/compile.svg`."
    ));
    report.line("");
    report.line(
        "| N | `cargo check` | added by `namespace!` | per statement | macro time | per statement |",
    );
    report.line("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let base = percentile(&times[&0], 0.5);
    let mut curve = Vec::new();
    for (n, t) in &times {
        let m = percentile(t, 0.5);
        let (added, per) = if *n == 0 {
            ("–".to_owned(), "–".to_owned())
        } else {
            (ms(m - base), us((m - base) / *n as f64))
        };
        let (expand, expand_per) = match macro_times.get(n) {
            Some(&e) if *n > 0 => (ms(e), us(e / *n as f64)),
            _ => ("–".to_owned(), "–".to_owned()),
        };
        if *n > 0 {
            curve.push((*n, m - base, macro_times.get(n).copied()));
        }
        report.line(format!(
            "| {n} | {} | {added} | {per} | {expand} | {expand_per} |",
            ms(m)
        ));
    }
    report.line("");
    let svg = Path::new(env!("CARGO_MANIFEST_DIR")).join("compile.svg");
    fs::write(&svg, plot(&curve)).unwrap();
    if let Some(&e) = macro_times.get(&10_000) {
        report.target("10,000 statements: < 1 s of macro time", ms(e), e < 1.0);
    }
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

/// rustc's `macro_expand_crate` time for each crate, in seconds: the median of `runs`.
fn macro_times(
    crates: &[(usize, std::path::PathBuf, String)],
    target: &Path,
    runs: usize,
) -> BTreeMap<usize, f64> {
    let mut found: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    eprint!("compile time: macro expansion ");
    for _ in 0..runs {
        for (n, root, main) in crates {
            fs::write(root.join("src/main.rs"), main).unwrap();
            let output = Command::new("cargo")
                .args([
                    "rustc",
                    "--quiet",
                    "--offline",
                    "--profile",
                    "check",
                    "--target-dir",
                ])
                .arg(target)
                .args(["--", "-Z", "time-passes"])
                .current_dir(root)
                .env_remove("RUSTFLAGS")
                .env("RUSTC_BOOTSTRAP", "1")
                .output()
                .expect("run cargo rustc");
            assert!(
                output.status.success(),
                "cargo rustc in {} failed",
                root.display()
            );
            // `time:   0.240; rss:   44MB ->   70MB (  +26MB)\tmacro_expand_crate`
            let text = String::from_utf8_lossy(&output.stderr);
            let seconds = text
                .lines()
                .filter(|line| line.ends_with("\tmacro_expand_crate"))
                .find_map(|line| {
                    line.strip_prefix("time:")?
                        .split(';')
                        .next()?
                        .trim()
                        .parse()
                        .ok()
                });
            if let Some(seconds) = seconds {
                found.entry(*n).or_default().push(seconds);
            }
        }
        eprint!(".");
    }
    eprintln!();
    found
        .into_iter()
        .map(|(n, times)| (n, percentile(&times, 0.5)))
        .collect()
}

/// An SVG of the compile-time curve, log-log: `cargo check` time added, and macro
/// time, against the number of statements, with the line of linear growth through the
/// first point for comparison.
fn plot(curve: &[(usize, f64, Option<f64>)]) -> String {
    let (width, height, margin) = (640.0, 400.0, 60.0);
    let (n_min, n_max) = (10f64, 10_000f64);
    let (t_min, t_max) = (1e-3f64, 10f64);
    let x = |n: f64| {
        margin
            + (n.log10() - n_min.log10()) / (n_max.log10() - n_min.log10()) * (width - 2.0 * margin)
    };
    let y = |t: f64| {
        let t = t.clamp(t_min, t_max);
        height
            - margin
            - (t.log10() - t_min.log10()) / (t_max.log10() - t_min.log10())
                * (height - 2.0 * margin)
    };
    let mut svg = String::new();
    writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    )
    .unwrap();
    for n in [10f64, 100.0, 1000.0, 10_000.0] {
        writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{0:.1}\" y=\"{3:.1}\" text-anchor=\"middle\">{4}</text>",
            x(n),
            y(t_min),
            y(t_max),
            height - margin + 18.0,
            n
        )
        .unwrap();
    }
    for (t, label) in [
        (1e-3, "1 ms"),
        (1e-2, "10 ms"),
        (0.1, "100 ms"),
        (1.0, "1 s"),
        (10.0, "10 s"),
    ] {
        writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{2:.1}\" y2=\"{1:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{3:.1}\" y=\"{4:.1}\" text-anchor=\"end\">{label}</text>",
            x(n_min),
            y(t),
            x(n_max),
            margin - 6.0,
            y(t) + 4.0
        )
        .unwrap();
    }
    let line = |points: Vec<(f64, f64)>, color: &str, label: &str, row: f64| {
        let path: Vec<String> = points
            .iter()
            .map(|&(n, t)| format!("{:.1},{:.1}", x(n), y(t)))
            .collect();
        let mut out = format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
            path.join(" ")
        );
        for &(n, t) in &points {
            writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                x(n),
                y(t)
            )
            .unwrap();
        }
        writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{color}\">{label}</text>",
            margin + 10.0,
            margin - 30.0 + row * 15.0
        )
        .unwrap();
        out
    };
    let added: Vec<(f64, f64)> = curve
        .iter()
        .map(|&(n, t, _)| (n as f64, t.max(t_min)))
        .collect();
    let expand: Vec<(f64, f64)> = curve
        .iter()
        .filter_map(|&(n, _, e)| Some((n as f64, e?.max(t_min))))
        .collect();
    svg.push_str(&line(
        added.clone(),
        "#1f77b4",
        "cargo check time added by namespace!",
        0.0,
    ));
    svg.push_str(&line(
        expand.clone(),
        "#d62728",
        "macro time (rustc's macro_expand_crate)",
        1.0,
    ));
    if let Some(&(n0, t0)) = expand.iter().find(|&&(n, _)| n >= 100.0) {
        let linear = vec![(n0, t0), (n_max, t0 * n_max / n0)];
        svg.push_str(&line(
            linear,
            "#999",
            "linear growth from the macro time at N = 100",
            2.0,
        ));
    }
    writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">statements in one namespace!</text>\n</svg>",
        width / 2.0,
        height - 15.0
    )
    .unwrap();
    svg
}

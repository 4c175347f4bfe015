//! Scaling: N binds (against bubblewrap) and one union of N layers.

use std::collections::BTreeMap;
use std::time::Duration;

use mountns_bench::{BINDS, LAYERS, ROOT};

use crate::entry::{bwrap_argv, strs};
use crate::measure::{Variant, measure, us};
use crate::report::Report;
use crate::{Config, TRUE};

pub(crate) fn binds(config: &Config, report: &mut Report) {
    let launcher = config.bin("bench-exec");
    report.line("## Binds: N read-only binds of distinct directories");
    report.line("");
    report.line(
        "On top of the seven-mount sandbox, running `/bin/true`; root. Per bind: (time at N \
         − time at N = 0) / N, paired by round. mountns through the static launcher \
         `bench-exec` (comparable to bwrap) and through `Command::namespace`.",
    );
    report.line("");
    report.line("| N | bubblewrap | mountns `bench-exec` | mountns `Command::namespace` | mountns / bubblewrap | per bind, bubblewrap | per bind, mountns `bench-exec` |");
    report.line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut per_bind = BTreeMap::new();
    for n in BINDS {
        let extra: Vec<String> = (0..n)
            .flat_map(|i| {
                [
                    "--ro-bind".to_owned(),
                    format!("{ROOT}/binds/d{i}"),
                    format!("/binds/d{i}"),
                ]
            })
            .collect();
        let bwrap = bwrap_argv(&extra, TRUE);
        let bwrap0 = bwrap_argv(&[], TRUE);
        let name = format!("binds-{n}");
        let variants = vec![
            Variant::external("bwrap0", &strs(&bwrap0), None),
            Variant::external("exec0", &[&launcher, "seven", TRUE], None),
            Variant::external("bwrap", &strs(&bwrap), None),
            Variant::external("exec", &[&launcher, &name, TRUE], None),
            Variant::in_process("command", mountns_bench::binds(n), false, None),
        ];
        let (rounds, budget) = if n >= 1000 { (20, 60) } else { (400, 30) };
        let s = measure(
            &format!("binds N={n}"),
            &variants,
            2,
            config.rounds(rounds),
            3,
            Duration::from_secs(budget),
        );
        let ratio = s.median("exec").zip(s.median("bwrap")).map(|(a, b)| a / b);
        let slope = |k: &str, base: &str| s.paired(k, base).map(|d| d / n as f64);
        let (pb, pe) = (slope("bwrap", "bwrap0"), slope("exec", "exec0"));
        per_bind.insert(n, (pb, pe, ratio));
        if n == 1000 {
            report.summary(
                "1000 read-only binds, root",
                s.cell("exec"),
                s.cell("bwrap"),
                ratio,
            );
            report.summary(
                "time per bind at N = 1000",
                pe.map_or("–".into(), us),
                pb.map_or("–".into(), us),
                pe.zip(pb).map(|(a, b)| a / b),
            );
        }
        report.line(format!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            s.cell("bwrap"),
            s.cell("exec"),
            s.cell("command"),
            ratio.map_or("–".into(), |r| format!("{r:.3} ({:.0}x faster)", 1.0 / r)),
            pb.map_or("–".into(), us),
            pe.map_or("–".into(), us),
        ));
    }
    report.line("");
    if let Some(&(_, _, Some(ratio))) = per_bind.get(&1000) {
        report.target(
            "1000 binds: mountns ≥ 20x faster than bubblewrap",
            format!("{:.0}x", 1.0 / ratio),
            1.0 / ratio >= 20.0,
        );
    }
    linearity(config, report);
}

/// mountns alone, all sizes in one interleaved set with many rounds: without
/// bubblewrap's seconds-long runs between them, the per-bind figures are precise enough
/// to tell flat from growing.
fn linearity(config: &Config, report: &mut Report) {
    let launcher = config.bin("bench-exec");
    let floor = config.bin("bindfloor");
    let mut variants = vec![Variant::external("0", &[&launcher, "seven", TRUE], None)];
    variants.push(Variant::in_process(
        "command 0",
        &mountns_bench::SEVEN,
        false,
        None,
    ));
    variants.push(Variant::external("floor 0", &[&floor, "0", TRUE], None));
    for n in BINDS {
        let name = format!("binds-{n}");
        variants.push(Variant::external(
            &n.to_string(),
            &[&launcher, &name, TRUE],
            None,
        ));
        variants.push(Variant::in_process(
            &format!("command {n}"),
            mountns_bench::binds(n),
            false,
            None,
        ));
        variants.push(Variant::external(
            &format!("floor {n}"),
            &[&floor, &n.to_string(), TRUE],
            None,
        ));
    }
    let s = measure(
        "binds, mountns alone",
        &variants,
        3,
        config.rounds(300),
        10,
        Duration::from_secs(60),
    );
    let per = |k: &str, base: &str, n: usize| s.paired(k, base).map(|d| d / n as f64);
    report.line(format!(
        "mountns alone ({} interleaved rounds of every N), time per bind, and the kernel's \
         floor: `bindfloor.c` makes each bind with the fewest calls fd-based mounts allow \
         (`mkdirat`, `open_tree_attr` by name, `move_mount` by name, `close`) and checks \
         nothing; its per-bind time includes the kernel's unmounting at exit, as mountns's \
         does:",
        s.rounds
    ));
    report.line("");
    report.line(
        "| N | `bench-exec` | per bind | `Command::namespace` | per bind | per bind, `bindfloor.c` |",
    );
    report.line("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut flat = Vec::new();
    let mut at_floor = None;
    for n in BINDS {
        let (e, c) = (n.to_string(), format!("command {n}"));
        let pe = per(&e, "0", n);
        let pc = per(&c, "command 0", n);
        let pf = per(&format!("floor {n}"), "floor 0", n);
        if n >= 10 {
            flat.push((n, pe));
        }
        if n == 1000 {
            at_floor = pe.zip(pf);
        }
        report.line(format!(
            "| {n} | {} | {} | {} | {} | {} |",
            s.cell(&e),
            pe.map_or("–".into(), us),
            s.cell(&c),
            pc.map_or("–".into(), us),
            pf.map_or("–".into(), us),
        ));
    }
    report.line("");
    if let Some((exec, floor)) = at_floor {
        report.target(
            "binds: mountns time per bind at N = 1000 within 10% of bindfloor.c's",
            format!(
                "{} vs {} ({:+.0}%)",
                us(exec),
                us(floor),
                (exec / floor - 1.0) * 100.0
            ),
            exec <= floor * 1.1,
        );
    }
    let values: Vec<f64> = flat.iter().filter_map(|(_, p)| *p).collect();
    if values.len() == flat.len() && !values.is_empty() {
        let (lo, hi) = values
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        let shown: Vec<String> = flat
            .iter()
            .map(|(n, p)| format!("{n}: {}", us(p.unwrap())))
            .collect();
        // "Flat": the largest per-bind time within 25% of the smallest.
        report.target(
            "binds: mountns time per bind flat from N = 10 to 1000 (within 25%)",
            shown.join(", "),
            hi <= lo * 1.25,
        );
    }
}

pub(crate) fn layers(config: &Config, report: &mut Report) {
    let launcher = config.bin("bench-exec");
    report.line("## Layers: one read-only union of N layers (mountns only)");
    report.line("");
    report.line(
        "On top of the seven-mount sandbox, running `/bin/true`; root; static launcher \
         `bench-exec`. N sources; the runtime adds the skeleton as one more layer (499 + 1 \
         is overlayfs's limit of 500). `lowerdir+`: `fsconfig(2)` one layer at a time \
         (kernel 6.8); legacy: one `mount(2)` option string of at most a page. Per layer: \
         (time − seven-mount time) / N.",
    );
    report.line("");
    report.line("| N | `lowerdir+` | per layer | legacy option string | per layer |");
    report.line("| ---: | ---: | ---: | ---: | ---: |");
    for n in LAYERS {
        let name = format!("layers-{n}");
        let variants = vec![
            Variant::external("exec0", &[&launcher, "seven", TRUE], None),
            Variant::external("fsconfig", &[&launcher, &name, TRUE], None),
            Variant::external("legacy", &[&launcher, "--legacy", &name, TRUE], None),
        ];
        let s = measure(
            &format!("layers N={n}"),
            &variants,
            3,
            config.rounds(100),
            3,
            Duration::from_secs(30),
        );
        let slope = |k: &str| {
            s.paired(k, "exec0")
                .map_or("–".into(), |d| us(d / n as f64))
        };
        if n == 499 {
            report.summary(
                "one union of 499 layers (+ skeleton), root",
                s.cell("fsconfig"),
                "no overlays".into(),
                None,
            );
        }
        report.line(format!(
            "| {n} | {} | {} | {} | {} |",
            s.cell("fsconfig"),
            slope("fsconfig"),
            s.cell("legacy"),
            slope("legacy"),
        ));
    }
    report.line("");
}

//! Entry latency, with its hyperfine cross-check.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use mountns_bench::{ROOT, SEVEN, SEVEN_ETC};

use crate::measure::{Samples, Variant, measure, ms};
use crate::report::{Report, capture};
use crate::size::{kb, size};
use crate::{BWRAP, BWRAP_SANDBOX, BWRAP_SEVEN, Config, NOBODY, TRUE};

pub(crate) fn bwrap_argv(extra: &[String], program: &str) -> Vec<String> {
    let mut argv = vec![BWRAP.to_owned()];
    argv.extend(BWRAP_SEVEN.iter().map(|s| s.to_string()));
    argv.extend(extra.iter().cloned());
    argv.push(program.to_owned());
    argv
}

pub(crate) fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

pub(crate) fn entry(config: &Config, report: &mut Report) {
    let exec = config.bin("exec");
    let tiny = config.bin("tiny");
    let tiny_sandbox = config.bin("tiny-sandbox");
    let tiny_landlock = config.bin("tiny-landlock");
    let tiny_policy = config.bin("tiny-policy");
    let mut bwrap_sandbox = vec![BWRAP.to_owned()];
    bwrap_sandbox.extend(BWRAP_SANDBOX.iter().map(|s| s.to_string()));
    bwrap_sandbox.push(TRUE.to_owned());
    let floor = config.bin("floor");
    let execonly = config.bin("execonly");
    let bwrap = bwrap_argv(&[], TRUE);
    let users: [(&str, Option<u32>); 2] = [("root", None), ("nobody", Some(NOBODY))];
    let mut variants = Vec::new();
    for (user, uid) in users {
        let k = |name: &str| format!("{name}/{user}");
        variants.push(Variant::external(&k("true"), &[TRUE], uid));
        variants.push(Variant::external(&k("floor"), &[&floor, TRUE], uid));
        variants.push(Variant::external(&k("execonly"), &[&execonly, TRUE], uid));
        variants.push(Variant::external(&k("bwrap"), &strs(&bwrap), uid));
        variants.push(Variant::external(&k("exec"), &[&exec, TRUE], uid));
        variants.push(Variant::external(&k("tiny"), &[&tiny, TRUE], uid));
        variants.push(Variant::external(
            &k("tiny-landlock"),
            &[&tiny_landlock, TRUE],
            uid,
        ));
        variants.push(Variant::external(
            &k("tiny-policy"),
            &[&tiny_policy, TRUE],
            uid,
        ));
        variants.push(Variant::external(
            &k("bwrap-sandbox"),
            &strs(&bwrap_sandbox),
            uid,
        ));
        variants.push(Variant::external(
            &k("tiny-sandbox"),
            &[&tiny_sandbox, TRUE],
            uid,
        ));
        variants.push(Variant::in_process(&k("command"), &SEVEN, false, uid));
        variants.push(Variant::external(
            &k("exec-etc"),
            &[&exec, "--union-etc", TRUE],
            uid,
        ));
        variants.push(Variant::in_process(
            &k("command-etc"),
            &SEVEN_ETC,
            false,
            uid,
        ));
    }
    let s = measure(
        "entry",
        &variants,
        20,
        config.rounds(600),
        config.rounds(100),
        Duration::from_secs(120),
    );

    report.line("## Entry: `/bin/true` in the seven-mount sandbox");
    report.line("");
    report.line(
        "Read-only /usr, /bin, /lib, /lib64; /dev and /proc bound from the host; a tmpfs /tmp. \
         \"+ /etc\" adds a writable union over /etc (bubblewrap 0.8 has no overlays). \
         Overhead: over plain `/bin/true`, the same round. execonly.c only executes its \
         argument: what a static glibc launcher costs before any namespace.",
    );
    report.line("");
    report.line("| | root | overhead | p10–p90 | uid 65534 | overhead | p10–p90 |");
    report.line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let rows = [
        ("true", "plain `/bin/true`"),
        ("floor", "floor.c (`gcc -O2 -static`)"),
        ("execonly", "execonly.c, no namespace (`gcc -O2 -static`)"),
        ("bwrap", "bubblewrap"),
        ("exec", "mountns, static `exec` example"),
        ("tiny", "mountns, `tiny` example (no std, no libc)"),
        (
            "tiny-landlock",
            "mountns, `tiny-landlock`: `tiny` + `landlock;`",
        ),
        (
            "tiny-policy",
            "mountns, `tiny-policy`: `tiny` + `landlock;` + `limit [..]` (5 limits)",
        ),
        ("command", "mountns, `Command::namespace`"),
        ("exec-etc", "mountns `exec`, + /etc union"),
        ("command-etc", "mountns `Command::namespace`, + /etc union"),
        (
            "bwrap-sandbox",
            "sandbox: bubblewrap `--dev --proc --unshare-pid --unshare-net --new-session --die-with-parent`",
        ),
        (
            "tiny-sandbox",
            "sandbox: mountns `tiny-sandbox`, the same table",
        ),
    ];
    for (key, label) in rows {
        let mut line = format!("| {label} |");
        for user in ["root", "nobody"] {
            let k = format!("{key}/{user}");
            let over = if key == "true" {
                "–".to_owned()
            } else {
                s.paired(&k, &format!("true/{user}")).map_or("–".into(), ms)
            };
            let spread = match (s.pct(&k, 0.1), s.pct(&k, 0.9)) {
                (Some(a), Some(b)) => format!("{}–{}", ms(a), ms(b)),
                _ => "–".into(),
            };
            write!(line, " {} | {over} | {spread} |", s.cell(&k)).unwrap();
        }
        report.line(line);
    }
    report.line("");
    let mut ratios = String::from("| ratio | root | uid 65534 |\n| --- | ---: | ---: |\n");
    // Ratios of overheads (over plain /bin/true, paired by round), then of times.
    let ratio_rows: [(&str, &str, &str, bool); 10] = [
        ("mountns `exec` / bubblewrap, time", "exec", "bwrap", false),
        ("mountns `tiny` / bubblewrap, time", "tiny", "bwrap", false),
        (
            "mountns `Command::namespace` / bubblewrap, time",
            "command",
            "bwrap",
            false,
        ),
        (
            "mountns `exec` / bubblewrap, overhead",
            "exec",
            "bwrap",
            true,
        ),
        (
            "mountns `tiny` / bubblewrap, overhead",
            "tiny",
            "bwrap",
            true,
        ),
        ("mountns `exec` / floor.c, overhead", "exec", "floor", true),
        ("mountns `tiny` / floor.c, overhead", "tiny", "floor", true),
        (
            "sandbox: mountns `tiny-sandbox` / bubblewrap, time",
            "tiny-sandbox",
            "bwrap-sandbox",
            false,
        ),
        (
            "sandbox: mountns `tiny-sandbox` / bubblewrap, overhead",
            "tiny-sandbox",
            "bwrap-sandbox",
            true,
        ),
        (
            "mountns `exec` + /etc / mountns `exec`, time",
            "exec-etc",
            "exec",
            false,
        ),
    ];
    for (label, a, b, overhead) in ratio_rows {
        let mut line = format!("| {label} |");
        for user in ["root", "nobody"] {
            let (ka, kb, kt) = (
                format!("{a}/{user}"),
                format!("{b}/{user}"),
                format!("true/{user}"),
            );
            let value = if overhead {
                s.paired(&ka, &kt)
                    .zip(s.paired(&kb, &kt))
                    .map(|(x, y)| x / y)
            } else {
                s.median(&ka).zip(s.median(&kb)).map(|(x, y)| x / y)
            };
            write!(
                line,
                " {} |",
                value.map_or("–".into(), |v| format!("{v:.2}"))
            )
            .unwrap();
        }
        ratios.push_str(&line);
        ratios.push('\n');
    }
    report.line(ratios);
    launchers(config, report, &s);

    for (user, name) in [("root", "root"), ("nobody", "uid 65534")] {
        let k = |key: &str| format!("{key}/{user}");
        let cell = |key: &str| match (s.median(&k(key)), s.paired(&k(key), &k("true"))) {
            (Some(m), Some(o)) => format!("{} (+{})", ms(m), ms(o)),
            _ => s.cell(&k(key)),
        };
        let ratio = |a: &str| {
            s.median(&k(a))
                .zip(s.median(&k("bwrap")))
                .map(|(a, b)| a / b)
        };
        let floors = format!(
            "plain `/bin/true` {}, floor.c {}",
            s.cell(&k("true")),
            s.median(&k("floor")).map_or("–".into(), ms)
        );
        report.summary(
            &format!("entry, {name}, static `exec` ({floors})"),
            cell("exec"),
            cell("bwrap"),
            ratio("exec"),
        );
        report.summary(
            &format!("entry, {name}, `tiny` (no std, no libc)"),
            cell("tiny"),
            cell("bwrap"),
            ratio("tiny"),
        );
        report.summary(
            &format!("entry, {name}, `Command::namespace`"),
            cell("command"),
            cell("bwrap"),
            ratio("command"),
        );
        report.summary(
            &format!("sandbox (fresh /dev, /proc; pid, net; new session), {name}, `tiny-sandbox`"),
            cell("tiny-sandbox"),
            cell("bwrap-sandbox"),
            s.median(&k("tiny-sandbox"))
                .zip(s.median(&k("bwrap-sandbox")))
                .map(|(a, b)| a / b),
        );
    }
    report.summary(
        "entry + writable union over /etc, root, static `exec`",
        s.cell("exec-etc/root"),
        "no overlays".into(),
        None,
    );

    hyperfine(
        config,
        report,
        &[
            ("plain `/bin/true`", TRUE.to_owned()),
            ("floor.c", format!("{floor} {TRUE}")),
            ("bubblewrap", bwrap.join(" ")),
            ("mountns, static `exec` example", format!("{exec} {TRUE}")),
            ("mountns, `tiny` example", format!("{tiny} {TRUE}")),
            ("sandbox: bubblewrap", bwrap_sandbox.join(" ")),
            (
                "sandbox: mountns `tiny-sandbox`",
                format!("{tiny_sandbox} {TRUE}"),
            ),
        ],
    );

    for user in ["root", "nobody"] {
        let over = |k: &str| s.paired(&format!("{k}/{user}"), &format!("true/{user}"));
        let name = if user == "root" { "root" } else { "uid 65534" };
        for launcher in ["exec", "tiny"] {
            let (Some(exec), Some(bwrap), Some(floor)) =
                (over(launcher), over("bwrap"), over("floor"))
            else {
                continue;
            };
            report.target(
                &format!("entry {name}: `{launcher}` overhead ≤ ½ bubblewrap's"),
                format!("{} vs {} ({:.2})", ms(exec), ms(bwrap), exec / bwrap),
                exec <= bwrap / 2.0,
            );
            report.target(
                &format!("entry {name}: `{launcher}` overhead within 15% of floor.c's"),
                format!(
                    "{} vs {} ({:+.0}%)",
                    ms(exec),
                    ms(floor),
                    (exec / floor - 1.0) * 100.0
                ),
                exec <= floor * 1.15,
            );
        }
        if let (Some(mountns), Some(bwrap)) = (over("tiny-sandbox"), over("bwrap-sandbox")) {
            report.target(
                &format!("sandbox {name}: `tiny-sandbox` overhead ≤ ½ bubblewrap's"),
                format!("{} vs {} ({:.2})", ms(mountns), ms(bwrap), mountns / bwrap),
                mountns <= bwrap / 2.0,
            );
        }
        let med = |k: &str| s.median(&format!("{k}/{user}"));
        if let (Some(command), Some(floor)) = (med("command"), med("floor")) {
            report.target(
                &format!("entry {name}: `Command::namespace` beats floor.c"),
                format!("{} vs {}", ms(command), ms(floor)),
                command < floor,
            );
        }
    }
}

/// The launchers side by side: stripped size, entry overhead root and uid 65534, each as a
/// ratio to floor.c's and to bubblewrap's.
fn launchers(config: &Config, report: &mut Report, s: &Samples) {
    report.line(
        "The launchers, each overhead over plain `/bin/true` paired by round, and its ratio \
         to floor.c's and to bubblewrap's:",
    );
    report.line("");
    report.line(
        "| launcher | size, stripped | entry root | / floor.c | / bubblewrap | entry uid 65534 | / floor.c | / bubblewrap |",
    );
    report.line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let rows = [
        ("floor", "floor.c (`gcc -O2 -static`)"),
        ("execonly", "execonly.c: exec alone, no namespace"),
        ("bwrap", "bubblewrap (without its shared libraries)"),
        ("exec", "mountns static `exec` (std, glibc `crt-static`)"),
        ("tiny", "mountns `tiny` (no std, no libc)"),
        ("tiny-sandbox", "mountns `tiny-sandbox`, the sandbox"),
    ];
    for (key, label) in rows {
        let path = if key == "bwrap" {
            PathBuf::from(BWRAP)
        } else {
            config.bin.join(key)
        };
        let mut line = format!("| {label} | {} |", kb(size(&path)));
        for user in ["root", "nobody"] {
            let over = |k: &str| s.paired(&format!("{k}/{user}"), &format!("true/{user}"));
            let ratio = |other: &str| {
                over(key)
                    .zip(over(other))
                    .map_or("–".into(), |(a, b)| format!("{:.2}", a / b))
            };
            write!(
                line,
                " {} | {} | {} |",
                over(key).map_or("–".into(), |o| format!("+{}", ms(o))),
                ratio("floor"),
                ratio("bwrap")
            )
            .unwrap();
        }
        report.line(line);
    }
    report.line("");
}

/// The same commands under hyperfine, as a cross-check (root; back to back, not
/// interleaved).
pub(crate) fn hyperfine(config: &Config, report: &mut Report, commands: &[(&str, String)]) {
    let csv = Path::new(ROOT).join("hyperfine.csv");
    let runs = config.rounds(300).to_string();
    let status = Command::new("hyperfine")
        .args([
            "-N",
            "--style",
            "none",
            "--warmup",
            "20",
            "--runs",
            &runs,
            "--export-csv",
        ])
        .arg(&csv)
        .args(commands.iter().map(|(_, c)| c))
        .stdout(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        report.line("(hyperfine cross-check failed)\n");
        return;
    }
    let text = fs::read_to_string(&csv).unwrap_or_default();
    let version = capture(&["hyperfine", "--version"]);
    report.line(format!(
        "Cross-check, root, {version} `-N --runs {runs}` (each command's runs back to back):"
    ));
    report.line("");
    report.line("| | median | overhead |");
    report.line("| --- | ---: | ---: |");
    // command,mean,stddev,median,user,system,min,max
    let medians: Vec<f64> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').nth(4)?.parse().ok())
        .collect();
    for (i, ((label, _), median)) in commands.iter().zip(&medians).enumerate() {
        // The first command is plain /bin/true.
        let overhead = if i == 0 {
            "–".to_owned()
        } else {
            ms(median - medians[0])
        };
        report.line(format!("| {label} | {} | {overhead} |", ms(*median)));
    }
    report.line("");
}

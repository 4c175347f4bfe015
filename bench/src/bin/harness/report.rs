//! The report: a header, a short summary for the README, the sections, the targets.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;

use crate::{BWRAP, Config};

#[derive(Default)]
pub(crate) struct Report {
    /// The machine, the date and the command.
    header: String,
    /// The workloads' sections.
    text: String,
    /// The short table for the README: (workload, mountns, bubblewrap, ratio).
    summary: Vec<[String; 4]>,
    /// (target, measured, met)
    targets: Vec<(String, String, bool)>,
}

impl Report {
    pub(crate) fn head(&mut self, line: impl AsRef<str>) {
        self.header.push_str(line.as_ref());
        self.header.push('\n');
    }

    pub(crate) fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    pub(crate) fn summary(
        &mut self,
        workload: &str,
        mountns: String,
        bubblewrap: String,
        ratio: Option<f64>,
    ) {
        let ratio = ratio.map_or("–".to_owned(), |r| format!("{r:.2}"));
        self.summary
            .push([workload.to_owned(), mountns, bubblewrap, ratio]);
    }

    /// The whole report: header, summary, sections, targets.
    pub(crate) fn finish(mut self) -> String {
        let mut out = std::mem::take(&mut self.header);
        if !self.summary.is_empty() {
            out.push_str("| workload | mountns | bubblewrap | mountns / bubblewrap |\n");
            out.push_str("| --- | ---: | ---: | ---: |\n");
            for [w, m, b, r] in &self.summary {
                writeln!(out, "| {w} | {m} | {b} | {r} |").unwrap();
            }
            out.push('\n');
        }
        out.push_str(&self.text);
        if !self.targets.is_empty() {
            out.push_str("## Targets (measured, not asserted)\n\n");
            out.push_str("| target | measured | |\n| --- | --- | --- |\n");
            for (target, measured, met) in &self.targets {
                let met = if *met { "met" } else { "**missed**" };
                writeln!(out, "| {target} | {measured} | {met} |").unwrap();
            }
            out.push('\n');
        }
        out
    }

    pub(crate) fn target(&mut self, target: &str, measured: String, met: bool) {
        self.targets.push((target.to_owned(), measured, met));
    }

    pub(crate) fn header(&mut self, config: &Config) {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let kernel = capture(&["uname", "-r"]);
        let os = fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|r| {
                r.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_default();
        let memory = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                let kb: u64 = m.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
                Some(format!("{:.0} GB RAM", kb as f64 / 1024.0 / 1024.0))
            })
            .unwrap_or_default();
        let bwrap = capture(&[BWRAP, "--version"]);
        let date = capture(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]);
        let rustc = capture(&["rustc", "--version"]);
        self.head("# mountns against bubblewrap");
        self.head("");
        self.head(format!(
            "{date}. Machine: {cpus} vCPUs ({cpu}), {memory}, Linux {kernel}, {os}; {bwrap}; \
             {rustc}.{}",
            if config.quick {
                " **Quick run: few rounds, numbers are rough.**"
            } else {
                ""
            }
        ));
        self.head(
            "Reproduce (as root, Debian or Ubuntu): `bench/run`. Times are wall-clock medians \
             of interleaved rounds (each round runs every variant once, in a shuffled order); \
             overheads are medians of per-round differences.",
        );
        self.head("");
    }
}

pub(crate) fn capture(argv: &[&str]) -> String {
    Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

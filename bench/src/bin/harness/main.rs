//! The benchmark harness: mountns against bubblewrap, side by side in one run.
//!
//! `bench/run` prepares the machine and calls `harness [--quick] [--only entry,binds,...]`.
//! Timed workloads run interleaved: each round runs every variant once, in a shuffled
//! order, so machine drift hits all sides alike; medians (and p10/p90) are reported.
//! Every namespace is entered in a child: through `Command::namespace` (after fork), by
//! the static launchers, or by bwrap. This process never mounts anything.
//!
//! For profiling: `harness --compare ROUNDS [--nobody] 'CMD ARGS'...` times any
//! commands the same way; `harness --phases ROUNDS` splits the binds' `Command::namespace`
//! time into spawn (fork, enter, exec) and wait (run, exit, namespace teardown).

mod compile;
mod entry;
mod features;
mod measure;
mod report;
mod scaling;
mod seccomp;
mod size;
mod syscalls;

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use mountns::CommandExt as _;
use mountns_bench::{ROOT, SEVEN};

use crate::compile::compile;
use crate::entry::entry;
use crate::features::features;
use crate::measure::{Variant, measure, ms};
use crate::report::Report;
use crate::scaling::{binds, layers};
use crate::seccomp::seccomp;
use crate::size::sizes;
use crate::syscalls::syscalls;

const NOBODY: u32 = 65534;
const BWRAP: &str = "/usr/bin/bwrap";
const TRUE: &str = "/bin/true";

/// bubblewrap's arguments for the seven-mount sandbox: /dev and /proc bound from the
/// host, as mountns does.
#[rustfmt::skip]
const BWRAP_SEVEN: [&str; 20] = [
    "--ro-bind", "/usr", "/usr",
    "--ro-bind", "/bin", "/bin",
    "--ro-bind", "/lib", "/lib",
    "--ro-bind", "/lib64", "/lib64",
    "--dev-bind", "/dev", "/dev",
    "--bind", "/proc", "/proc",
    "--tmpfs", "/tmp",
];

/// bubblewrap's arguments for the sandbox: the same view (host /usr, the merged-/usr
/// links, tmpfs /tmp) with a fresh /dev and /proc, pid and network namespaces, a new
/// session and die-with-parent, as `tiny-sandbox` declares them.
#[rustfmt::skip]
const BWRAP_SANDBOX: [&str; 22] = [
    "--ro-bind", "/usr", "/usr",
    "--symlink", "usr/bin", "/bin",
    "--symlink", "usr/lib", "/lib",
    "--symlink", "usr/lib64", "/lib64",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    "--unshare-pid",
    "--unshare-net",
    "--new-session",
    "--die-with-parent",
];

struct Config {
    bin: PathBuf,
    quick: bool,
    only: Option<Vec<String>>,
    out: PathBuf,
}

impl Config {
    fn bin(&self, name: &str) -> String {
        self.bin.join(name).to_string_lossy().into_owned()
    }

    fn wants(&self, workload: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|w| w == workload))
    }

    /// Scales rounds down in quick mode.
    fn rounds(&self, full: usize) -> usize {
        if self.quick { (full / 10).max(3) } else { full }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--spawn") => spawn_once(args.get(1).is_some_and(|a| a == "seven")),
        Some("--phases") => phases(
            args.get(1)
                .map_or(50, |r| r.parse().expect("--phases ROUNDS")),
        ),
        Some("--compare") => compare(args[1..].to_vec()),
        _ => run(args),
    }
}

/// `harness --spawn seven|none`, for strace: one `Command::namespace` spawn (or a plain
/// one) and nothing else.
fn spawn_once(namespace: bool) {
    let mut command = Command::new(TRUE);
    if namespace {
        command.namespace(&SEVEN);
    }
    let ok = command.status().is_ok_and(|s| s.success());
    std::process::exit(if ok { 0 } else { 1 });
}

/// The benchmarks: `harness [--quick] [--only entry,features,binds,layers,compile,size,sys,seccomp] [--bin DIR] [--out FILE]`.
fn run(args: Vec<String>) {
    let mut args = args.into_iter();
    let mut config = Config {
        bin: PathBuf::from(ROOT).join("bin"),
        quick: false,
        only: None,
        out: PathBuf::from("results.md"),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => config.quick = true,
            "--only" => {
                config.only = Some(
                    args.next()
                        .unwrap_or_default()
                        .split(',')
                        .map(String::from)
                        .collect(),
                )
            }
            "--bin" => config.bin = PathBuf::from(args.next().expect("--bin DIR")),
            "--out" => config.out = PathBuf::from(args.next().expect("--out FILE")),
            _ => {
                eprintln!(
                    "usage: harness [--quick] [--only entry,features,binds,layers,compile,size,sys,seccomp] [--bin DIR] [--out FILE]\n       \
                     harness --compare ROUNDS [--nobody] 'CMD ARGS'...\n       \
                     harness --phases ROUNDS"
                );
                std::process::exit(2);
            }
        }
    }
    // Children start in "/", which every sandbox has (and so does user nobody).
    let out = std::env::current_dir().unwrap().join(&config.out);
    std::env::set_current_dir("/").unwrap();

    let mut report = Report::default();
    report.header(&config);
    if config.wants("entry") {
        entry(&config, &mut report);
    }
    if config.wants("features") {
        features(&config, &mut report);
    }
    if config.wants("binds") {
        binds(&config, &mut report);
    }
    if config.wants("layers") {
        layers(&config, &mut report);
    }
    if config.wants("compile") {
        compile(&config, &mut report);
    }
    if config.wants("size") {
        sizes(&config, &mut report);
    }
    if config.wants("sys") {
        syscalls(&config, &mut report);
    }
    if config.wants("seccomp") {
        seccomp(&config, &mut report);
    }
    let text = report.finish();
    print!("{text}");
    fs::write(&out, &text).unwrap();
    eprintln!("written to {}", out.display());
}

/// `harness --compare ROUNDS [--nobody] 'CMD ARGS' 'CMD ARGS'...`: an ad-hoc
/// interleaved comparison, for profiling; differences are against the first command.
fn compare(args: Vec<String>) {
    let rounds: usize = args[0].parse().expect("--compare ROUNDS");
    let nobody = args[1] == "--nobody";
    let uid = nobody.then_some(NOBODY);
    let commands = &args[if nobody { 2 } else { 1 }..];
    std::env::set_current_dir("/").unwrap();
    let variants: Vec<Variant> = commands
        .iter()
        .map(|c| Variant::external(c, &c.split_whitespace().collect::<Vec<_>>(), uid))
        .collect();
    let s = measure("compare", &variants, 20, rounds, rounds, Duration::MAX);
    for c in commands {
        println!(
            "{:>10} {:>10}  p10 {:>9} p90 {:>9}  {c}",
            s.cell(c),
            s.paired(c, &commands[0])
                .map_or("–".into(), |d| format!("{:+.0} µs", d * 1e6)),
            s.pct(c, 0.1).map_or("–".into(), ms),
            s.pct(c, 0.9).map_or("–".into(), ms),
        );
    }
}

/// `harness --phases ROUNDS`: for the binds' namespaces through `Command::namespace`, the
/// time until `spawn` returns (fork, enter, exec: std waits for the exec) and the time
/// `wait` takes after it (/bin/true runs and exits, the namespace is torn down).
fn phases(rounds: usize) {
    use mountns_bench::BINDS;
    use std::time::Instant;
    std::env::set_current_dir("/").unwrap();
    let mut spawn: Vec<Vec<f64>> = vec![Vec::new(); BINDS.len() + 1];
    let mut wait = spawn.clone();
    for _ in 0..rounds {
        for (i, ns) in std::iter::once(&SEVEN)
            .chain(BINDS.iter().map(|&n| mountns_bench::binds(n)))
            .enumerate()
        {
            let start = Instant::now();
            let mut child = Command::new(TRUE).namespace(ns).spawn().unwrap();
            let spawned = Instant::now();
            assert!(child.wait().unwrap().success());
            spawn[i].push((spawned - start).as_secs_f64());
            wait[i].push(spawned.elapsed().as_secs_f64());
        }
    }
    for (i, n) in std::iter::once(0).chain(BINDS).enumerate() {
        let (s, w) = (
            measure::percentile(&spawn[i], 0.5),
            measure::percentile(&wait[i], 0.5),
        );
        println!(
            "N = {n:>4}: spawn (fork+enter+exec) {:>9}, wait (run+exit+teardown) {:>9}",
            ms(s),
            ms(w)
        );
    }
}

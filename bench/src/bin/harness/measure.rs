//! Interleaved measurement: variants, rounds, samples and their statistics.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use mountns::{CommandExt as _, Ids, Namespace};

use crate::TRUE;

/// How to start one variant.
#[derive(Clone)]
pub(crate) enum Launch {
    /// A program with arguments.
    External(Vec<OsString>),
    /// `/bin/true` through `Command::namespace` from this process.
    InProcess {
        namespace: &'static Namespace,
        legacy: bool,
    },
}

#[derive(Clone)]
pub(crate) struct Variant {
    key: String,
    launch: Launch,
    uid: Option<u32>,
}

impl Variant {
    pub(crate) fn external(key: &str, argv: &[&str], uid: Option<u32>) -> Variant {
        Variant {
            key: key.to_owned(),
            launch: Launch::External(argv.iter().map(OsString::from).collect()),
            uid,
        }
    }

    pub(crate) fn in_process(
        key: &str,
        namespace: &'static Namespace,
        legacy: bool,
        uid: Option<u32>,
    ) -> Variant {
        Variant {
            key: key.to_owned(),
            launch: Launch::InProcess { namespace, legacy },
            uid,
        }
    }

    pub(crate) fn command(&self) -> Command {
        match (&self.launch, self.uid) {
            (Launch::External(argv), uid) => {
                let mut command = Command::new(&argv[0]);
                command.args(&argv[1..]);
                if let Some(uid) = uid {
                    command.uid(uid).gid(uid);
                }
                command
            }
            (Launch::InProcess { namespace, .. }, None) => {
                let mut command = Command::new(TRUE);
                command.namespace(*namespace);
                command
            }
            // A root launcher runs the program as another user by entering first and
            // switching ids after (`Command::uid` with `namespace` is refused).
            (Launch::InProcess { namespace, .. }, Some(uid)) => {
                let mut command = Command::new(TRUE);
                command.namespace_as(*namespace, Ids::new(uid, uid));
                command
            }
        }
    }

    /// Spawns and waits once; returns the wall time.
    pub(crate) fn run(&self, stderr: Stdio) -> io::Result<(Duration, ExitStatus, Vec<u8>)> {
        let mut command = self.command();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        if let Launch::InProcess { legacy, .. } = self.launch {
            mountns::force_legacy_unions(legacy);
        }
        let start = Instant::now();
        let output = command.output();
        let elapsed = start.elapsed();
        mountns::force_legacy_unions(false);
        let output = output?;
        Ok((elapsed, output.status, output.stderr))
    }
}

/// The samples of one interleaved set, and the variants that failed with their message.
#[derive(Default)]
pub(crate) struct Samples {
    times: BTreeMap<String, Vec<f64>>,
    failed: BTreeMap<String, String>,
    pub(crate) rounds: usize,
}

impl Samples {
    pub(crate) fn median(&self, key: &str) -> Option<f64> {
        self.times.get(key).map(|t| percentile(t, 0.5))
    }

    pub(crate) fn pct(&self, key: &str, p: f64) -> Option<f64> {
        self.times.get(key).map(|t| percentile(t, p))
    }

    /// The median of per-round differences `a - b` (rounds pair the samples).
    pub(crate) fn paired(&self, a: &str, b: &str) -> Option<f64> {
        let (a, b) = (self.times.get(a)?, self.times.get(b)?);
        let diffs: Vec<f64> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        Some(percentile(&diffs, 0.5))
    }

    pub(crate) fn cell(&self, key: &str) -> String {
        match (self.median(key), self.failed.get(key)) {
            (Some(m), _) => ms(m),
            (None, Some(error)) => format!("fails: {error}"),
            (None, None) => "–".to_owned(),
        }
    }
}

pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = p * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

pub(crate) fn ms(seconds: f64) -> String {
    let ms = seconds * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

pub(crate) fn us(seconds: f64) -> String {
    format!("{:.1} µs", seconds * 1e6)
}

/// A small deterministic generator for the shuffles (xorshift64*).
pub(crate) struct Shuffle(pub(crate) u64);

impl Shuffle {
    pub(crate) fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % bound
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.next(i + 1));
        }
    }
}

/// Runs `variants` interleaved: `warmup` unrecorded rounds, then rounds until `rounds`
/// are recorded or `budget` has passed (at least `min_rounds`).
pub(crate) fn measure(
    title: &str,
    variants: &[Variant],
    warmup: usize,
    rounds: usize,
    min_rounds: usize,
    budget: Duration,
) -> Samples {
    let mut samples = Samples::default();
    let mut active: Vec<&Variant> = Vec::new();
    // A first run of each, with stderr captured: a variant that fails is reported, not timed.
    for variant in variants {
        match variant.run(Stdio::piped()) {
            Ok((_, status, _)) if status.success() => active.push(variant),
            Ok((_, status, stderr)) => {
                let message = String::from_utf8_lossy(&stderr);
                let message = message.trim().lines().last().unwrap_or("").to_owned();
                eprintln!("  {}: {status}: {message}", variant.key);
                // The table gets the error itself, not the explanation after it.
                let short = message.split("; ").next().unwrap_or("").to_owned();
                samples.failed.insert(variant.key.clone(), short);
            }
            Err(error) => {
                eprintln!("  {}: {error}", variant.key);
                samples
                    .failed
                    .insert(variant.key.clone(), error.to_string());
            }
        }
    }
    let mut shuffle = Shuffle(0x9e37_79b9_7f4a_7c15 ^ title.len() as u64);
    let start = Instant::now();
    let mut round = 0;
    eprint!("{title}: ");
    while round < warmup + rounds {
        if round >= warmup + min_rounds && start.elapsed() > budget {
            break;
        }
        shuffle.shuffle(&mut active);
        let mut times = Vec::with_capacity(active.len());
        for variant in &active {
            match variant.run(Stdio::inherit()) {
                Ok((time, status, _)) if status.success() => times.push(time),
                Ok((_, status, _)) => panic!("{} failed in round {round}: {status}", variant.key),
                Err(error) => panic!("{} failed in round {round}: {error}", variant.key),
            }
        }
        if round >= warmup {
            for (variant, time) in active.iter().zip(times) {
                samples
                    .times
                    .entry(variant.key.clone())
                    .or_default()
                    .push(time.as_secs_f64());
            }
            samples.rounds += 1;
        }
        round += 1;
        if round % 50 == 0 {
            eprint!(".");
        }
    }
    eprintln!(
        " {} rounds in {:.1} s",
        samples.rounds,
        start.elapsed().as_secs_f64()
    );
    samples
}

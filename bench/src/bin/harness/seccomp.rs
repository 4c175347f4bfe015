//! The cost of a system call under a seccomp program: mountns's, compiled with the
//! table, against libseccomp's for the same policy, which bubblewrap installs with
//! `--seccomp FD`. `getppid` (no work of its own) is called a few million times in a
//! static program; it prints the mean cost, and the rounds are interleaved.
//!
//! The same policy: libseccomp's rules are read off mountns's own program, call by
//! call, with the interpreter of `mountns-seccomp` (the verdict of every `x86_64` call,
//! and the arguments that decide `ioctl`, `socket`, `socketpair`, `clone` and
//! `unshare`), for the native entry point and, as mountns covers them too, i386's and
//! x32's. Both are also counted: how many instructions `getppid` runs through.

use std::fmt::Write as _;
use std::fs;
use std::process::{Command, Stdio};

use mountns::Namespace;
use mountns_bench::{SEVEN_ALLOW_300, SEVEN_BENCH, SEVEN_DEFAULT};
use mountns_seccomp::bpf::{self, Data, Insn};
use mountns_seccomp::{AUDIT_ARCH_X86_64, CLONE_NEWUSER, TERMINAL_REQUESTS, Verdict, tables};

use crate::entry::bwrap_argv;
use crate::measure::{Shuffle, percentile};
use crate::report::Report;
use crate::{Config, NOBODY};

/// The policies: a label, `bench-exec`'s name for the namespace, the namespace.
const POLICIES: [(&str, &str, &Namespace); 3] = [
    (
        "terminal rule only (every table)",
        "seven-bench",
        &SEVEN_BENCH,
    ),
    ("`DEFAULT_SYSCALLS`", "seven-default", &SEVEN_DEFAULT),
    (
        "allow list of 300 calls",
        "seven-allow-300",
        &SEVEN_ALLOW_300,
    ),
];

/// `getppid` calls a run: long enough that starting the program does not count.
const CALLS: &str = "3000000";

/// Where the sandboxes of both sides have the benchmarks' programs.
const INSIDE: &str = "/opt/bench/getppid";

pub(crate) fn seccomp(config: &Config, report: &mut Report) {
    let getppid = config.bin("getppid");
    let bench_dir = config.bin("");
    let bind = ["--ro-bind".to_owned(), bench_dir, "/opt/bench".to_owned()];
    let bench_exec = config.bin("bench-exec");
    report.line("## Syscall cost: a seccomp program per call\n");
    let mut steps = String::new();
    // (key, argv, uid)
    let mut variants: Vec<(String, Vec<String>, Option<u32>)> = Vec::new();
    for (user, uid) in [("root", None), ("nobody", Some(NOBODY))] {
        variants.push((
            format!("none/{user}"),
            vec![getppid.clone(), CALLS.into()],
            uid,
        ));
        variants.push((
            format!("bwrap, none/{user}"),
            bwrap_argv(&bind, INSIDE)
                .into_iter()
                .chain([CALLS.to_owned()])
                .collect(),
            uid,
        ));
    }
    for (label, name, namespace) in POLICIES {
        let ours = program(namespace);
        let spec = libseccomp_spec(&ours);
        let (_, steps_ours) = bpf::run(&ours, &getppid_data());
        write!(steps, "| {label} | {} | {steps_ours} |", ours.len()).unwrap();
        for (optimize, suffix) in [(1, "list"), (2, "tree")] {
            let file = config.bin(&format!("{name}-{suffix}.bpf"));
            let bpf = libseccomp_bpf(config, &format!("{spec}optimize {optimize}\n"));
            fs::write(&file, &bpf).unwrap();
            let theirs = decode(&bpf);
            let (_, steps_theirs) = bpf::run(&theirs, &getppid_data());
            write!(steps, " {} | {steps_theirs} |", theirs.len()).unwrap();
            for (user, uid) in [("root", None), ("nobody", Some(NOBODY))] {
                // bubblewrap reads the program from a descriptor: a shell opens it.
                let mut extra = bind.to_vec();
                extra.extend(["--seccomp".to_owned(), "3".to_owned()]);
                let bwrap = bwrap_argv(&extra, INSIDE).join(" ");
                let argv = vec![
                    "/bin/sh".to_owned(),
                    "-c".to_owned(),
                    format!("exec {bwrap} {CALLS} 3<{file}"),
                ];
                variants.push((
                    format!("bwrap, {label} (libseccomp {suffix})/{user}"),
                    argv,
                    uid,
                ));
            }
        }
        steps.push('\n');
        for (user, uid) in [("root", None), ("nobody", Some(NOBODY))] {
            variants.push((
                format!("mountns, {label}/{user}"),
                vec![
                    bench_exec.clone(),
                    name.to_owned(),
                    INSIDE.to_owned(),
                    CALLS.into(),
                ],
                uid,
            ));
        }
    }
    let rounds = config.rounds(15);
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut order: Vec<usize> = (0..variants.len()).collect();
    let mut shuffle = Shuffle(0x5eed_cafe);
    for _ in 0..rounds {
        shuffle.shuffle(&mut order);
        for &i in &order {
            let (key, argv, uid) = &variants[i];
            let mut command = Command::new(&argv[0]);
            command.args(&argv[1..]).current_dir("/");
            if let Some(uid) = uid {
                std::os::unix::process::CommandExt::uid(&mut command, *uid);
                std::os::unix::process::CommandExt::gid(&mut command, *uid);
            }
            let output = command.stderr(Stdio::piped()).output().unwrap();
            let text = String::from_utf8_lossy(&output.stdout);
            match text.trim().parse::<f64>() {
                Ok(ns) if output.status.success() => samples[i].push(ns),
                _ => eprintln!(
                    "  {key}: {}: {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
            }
        }
    }
    report.line(format!(
        "`getppid` called {CALLS} times in a static program, {rounds} interleaved rounds; \
         the median of each variant's mean cost per call (p10-p90). libseccomp 2.5 as \
         Debian ships it, its default list (`optimize 1`) and its binary tree \
         (`optimize 2`), given to bubblewrap with `--seccomp`. Since Linux 5.11 the \
         kernel caches the verdict of a call that a program allows whatever its \
         arguments (it proves so by running the program on the call's number alone), \
         so `getppid` pays for that lookup, not for the program's length: the steps \
         below are what a call that is not cached runs through.\n"
    ));
    report.line("| variant | root | uid 65534 |\n| --- | ---: | ---: |");
    let cell = |key: &str| {
        let i = variants.iter().position(|(k, ..)| k == key)?;
        let s = &samples[i];
        (!s.is_empty()).then(|| {
            format!(
                "{:.1} ns ({:.1}-{:.1})",
                percentile(s, 0.5),
                percentile(s, 0.1),
                percentile(s, 0.9)
            )
        })
    };
    let mut keys: Vec<&str> = variants
        .iter()
        .filter_map(|(key, ..)| key.strip_suffix("/root"))
        .collect();
    keys.dedup();
    for key in keys {
        report.line(format!(
            "| {key} | {} | {} |",
            cell(&format!("{key}/root")).unwrap_or_else(|| "failed".into()),
            cell(&format!("{key}/nobody")).unwrap_or_else(|| "failed".into())
        ));
    }
    report.line(
        "\nThe programs' sizes and how many instructions `getppid` runs through (the \
         interpreter's count, the same on every machine):\n",
    );
    report.line(
        "| policy | mountns: size | steps | libseccomp list: size | steps | libseccomp tree: size | steps |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    report.line(steps);
    // The per-call overhead of each program over no filter, as the summary's rows.
    let median = |key: &str| {
        let i = variants.iter().position(|(k, ..)| k == key)?;
        (!samples[i].is_empty()).then(|| percentile(&samples[i], 0.5))
    };
    let Some(none) = median("none/root") else {
        return;
    };
    for (label, ..) in POLICIES {
        let ours = median(&format!("mountns, {label}/root"));
        let theirs = median(&format!("bwrap, {label} (libseccomp list)/root"));
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            report.summary(
                &format!("syscall under {label}, root (overhead over {none:.1} ns)"),
                format!("{:+.1} ns", ours - none),
                format!("{:+.1} ns", theirs - none),
                ((theirs - none).abs() > f64::EPSILON).then(|| (ours - none) / (theirs - none)),
            );
        }
    }
}

/// The program mountns compiled for `namespace`, as the interpreter's instructions.
fn program(namespace: &Namespace) -> Vec<Insn> {
    mountns::__private::seccomp(namespace)
        .iter()
        .map(|i| Insn {
            code: i.code(),
            jt: i.jt(),
            jf: i.jf(),
            k: i.k(),
        })
        .collect()
}

/// A native `x86_64` call with these arguments.
fn data(nr: u32, args: [u64; 6]) -> Data {
    Data {
        nr,
        arch: AUDIT_ARCH_X86_64,
        ip: 0,
        args,
    }
}

fn getppid_data() -> Data {
    data(110, [0; 6])
}

/// What `program` answers.
fn verdict(program: &[Insn], data: &Data) -> Verdict {
    Verdict::of(bpf::run(program, data).0)
}

/// libseccomp's policy that gives each `x86_64` call (and argument that matters) the
/// verdict `program` gives it, on every entry point of `x86_64`.
fn libseccomp_spec(program: &[Insn]) -> String {
    let calls = tables::X86_64;
    // The verdict of most calls is the default; the others get a rule.
    let verdicts: Vec<Verdict> = calls
        .iter()
        .map(|&(_, nr)| verdict(program, &data(nr, [0; 6])))
        .collect();
    let default = *verdicts
        .iter()
        .max_by_key(|v| verdicts.iter().filter(|w| w == v).count())
        .unwrap_or(&Verdict::Allow);
    let mut spec = format!("default {}\narch x86\narch x32\n", action(default));
    for &(name, nr) in calls {
        let plain = verdict(program, &data(nr, [0; 6]));
        if plain != default {
            writeln!(spec, "call {name} {}", action(plain)).unwrap();
        }
        // The arguments mountns's program reads, each value that changes the verdict.
        let probes: Vec<(u32, u64, u64)> = match name {
            "ioctl" => TERMINAL_REQUESTS
                .iter()
                .map(|&(_, request)| (1, u64::from(request), 0xffff_ffff))
                .collect(),
            "socket" | "socketpair" => (0..64).map(|family| (0, family, 0xffff_ffff)).collect(),
            "clone" | "unshare" => {
                vec![(0, u64::from(CLONE_NEWUSER), u64::from(CLONE_NEWUSER))]
            }
            _ => Vec::new(),
        };
        for (index, value, mask) in probes {
            let mut args = [0; 6];
            args[index as usize] = value;
            let probed = verdict(program, &data(nr, args));
            if probed != plain
                && let Verdict::Errno(errno) = probed
            {
                writeln!(spec, "arg {name} {index} {value} {mask} errno {errno}").unwrap();
            }
        }
    }
    spec
}

fn action(verdict: Verdict) -> String {
    match verdict {
        Verdict::Allow => "allow".into(),
        Verdict::Errno(errno) => format!("errno {errno}"),
        Verdict::Kill => "errno 1".into(),
    }
}

/// libseccomp's program for `spec`.
fn libseccomp_bpf(config: &Config, spec: &str) -> Vec<u8> {
    let mut child = Command::new(config.bin("libseccomp-bpf"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), spec.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "libseccomp-bpf failed on:\n{spec}");
    output.stdout
}

/// Raw `struct sock_filter`s, as the interpreter's instructions.
fn decode(bytes: &[u8]) -> Vec<Insn> {
    bytes
        .chunks_exact(8)
        .map(|b| Insn {
            code: u16::from_ne_bytes([b[0], b[1]]),
            jt: b[2],
            jf: b[3],
            k: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
        })
        .collect()
}

//! Syscall counts of the entry under strace.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use mountns_bench::ROOT;

use crate::entry::bwrap_argv;
use crate::report::Report;
use crate::{Config, TRUE};

/// Syscall counts of the entry with `strace -f`, every process of the launch included (for
/// `Command::namespace`, only the child: the parent is the harness).
pub(crate) fn syscalls(config: &Config, report: &mut Report) {
    let harness = std::env::current_exe()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let exec = config.bin("exec");
    let tiny = config.bin("tiny");
    let floor = config.bin("floor");
    let bwrap = bwrap_argv(&[], TRUE);
    let runs: Vec<(&str, Vec<String>, bool)> = vec![
        ("plain `/bin/true`", vec![TRUE.into()], false),
        ("floor.c", vec![floor.clone(), TRUE.into()], false),
        ("bubblewrap", bwrap.clone(), false),
        (
            "mountns, static `exec` example",
            vec![exec.clone(), TRUE.into()],
            false,
        ),
        (
            "mountns, `tiny` example (no std, no libc)",
            vec![tiny.clone(), TRUE.into()],
            false,
        ),
        (
            "mountns, `Command::namespace` (the child only)",
            vec![harness.clone(), "--spawn".into(), "seven".into()],
            true,
        ),
    ];
    report.line("## Syscalls of the entry (root, `strace -f`, every process of the launch)");
    report.line("");
    report.line(
        "Mount-related: unshare, mount, umount2, pivot_root, open_tree, move_mount, fsopen, \
         fsconfig, fsmount, mount_setattr.",
    );
    report.line("");
    report.line("| | syscalls | failed | execve | clone | mount-related | most frequent others |");
    report.line("| --- | ---: | ---: | ---: | ---: | --- | --- |");
    let file = Path::new(ROOT).join("strace.txt");
    for (label, argv, child_only) in runs {
        let status = Command::new("strace")
            .args(["-f", "-qq", "-o"])
            .arg(&file)
            .arg("--")
            .args(&argv)
            .stdout(Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            report.line(format!("| {label} | strace failed | | | | | |"));
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_default();
        let counts = parse_strace(&text, child_only);
        let get = |name: &str| counts.get(name).map_or(0, |c| c.0);
        let total: u64 = counts.values().map(|c| c.0).sum();
        let errors: u64 = counts.values().map(|c| c.1).sum();
        const MOUNT: [&str; 10] = [
            "unshare",
            "mount",
            "umount2",
            "pivot_root",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "mount_setattr",
        ];
        let mounts: Vec<String> = MOUNT
            .iter()
            .filter(|n| get(n) > 0)
            .map(|n| format!("{n} {}", get(n)))
            .collect();
        let mut others: Vec<(&String, u64)> = counts
            .iter()
            .filter(|(n, _)| !MOUNT.contains(&n.as_str()) && *n != "execve")
            .map(|(n, c)| (n, c.0))
            .collect();
        others.sort_by_key(|o| std::cmp::Reverse(o.1));
        let others: Vec<String> = others
            .iter()
            .take(5)
            .map(|(n, c)| format!("{n} {c}"))
            .collect();
        let clones = get("clone") + get("clone3") + get("fork") + get("vfork");
        let mount_total: u64 = MOUNT.iter().map(|n| get(n)).sum();
        report.line(format!(
            "| {label} | {total} | {errors} | {} | {clones} | {} | {} |",
            get("execve"),
            if mounts.is_empty() {
                "–".to_owned()
            } else {
                format!("{mount_total}: {}", mounts.join(", "))
            },
            others.join(", ")
        ));
    }
    report.line("");
}

/// Per syscall: (calls, errors), from `strace -f -o` output; without the first process
/// if `child_only`.
pub(crate) fn parse_strace(text: &str, child_only: bool) -> BTreeMap<String, (u64, u64)> {
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let first = text.split_whitespace().next().unwrap_or("").to_owned();
    for line in text.lines() {
        let Some((pid, call)) = line.split_once(' ') else {
            continue;
        };
        let call = call.trim_start();
        if child_only && pid == first {
            continue;
        }
        let failed = line.contains(" = -1 ");
        if let Some(rest) = call.strip_prefix("<... ") {
            // The end of an interrupted call: counted at its start, but it may fail here.
            if failed {
                let name = rest.split_whitespace().next().unwrap_or("");
                counts.entry(name.to_owned()).or_default().1 += 1;
            }
            continue;
        }
        let Some((name, _)) = call.split_once('(') else {
            continue;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let entry = counts.entry(name.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(failed);
    }
    counts
}

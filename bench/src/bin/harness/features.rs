//! What each statement of the policy costs: the seven-mount sandbox with one feature
//! added, against the same sandbox without it, and bubblewrap's nearest flag where it
//! has one.

use std::fmt::Write as _;
use std::time::Duration;

use mountns_bench::FEATURES;

use crate::entry::{bwrap_argv, strs};
use crate::measure::{Variant, measure, ms};
use crate::report::Report;
use crate::{BWRAP, BWRAP_SEVEN, Config, NOBODY, TRUE};

/// bubblewrap's arguments for a feature, in place of or beside the seven-mount
/// sandbox's: `None` where bubblewrap has no such flag.
fn bwrap_feature(name: &str) -> Option<Vec<String>> {
    let extra = |flags: &[&str]| Some(bwrap_argv(&own(flags), TRUE));
    match name {
        "seven-pid" => extra(&["--unshare-pid"]),
        "seven-net" => extra(&["--unshare-net"]),
        "seven-session" => extra(&["--new-session"]),
        // Root's capabilities are bubblewrap's to keep by default; mountns keeps one.
        "seven-caps" => extra(&["--cap-drop", "ALL", "--cap-add", "CAP_NET_BIND_SERVICE"]),
        "seven-proc" | "seven-dev" => {
            let (from, to) = if name == "seven-proc" {
                (["--bind", "/proc", "/proc"], ["--proc", "/proc"])
            } else {
                (["--dev-bind", "/dev", "/dev"], ["--dev", "/dev"])
            };
            let mut argv = vec![BWRAP.to_owned()];
            for pair in BWRAP_SEVEN.chunks(3) {
                if pair == from {
                    argv.extend(own(&to));
                } else {
                    argv.extend(own(pair));
                }
            }
            if name == "seven-proc" {
                argv.push("--unshare-pid".to_owned());
            }
            argv.push(TRUE.to_owned());
            Some(argv)
        }
        _ => None,
    }
}

fn own(strs: &[&str]) -> Vec<String> {
    strs.iter().map(|s| (*s).to_owned()).collect()
}

pub(crate) fn features(config: &Config, report: &mut Report) {
    let launcher = config.bin("bench-exec");
    let users: [(&str, Option<u32>); 2] = [("root", None), ("nobody", Some(NOBODY))];
    let bwrap = bwrap_argv(&[], TRUE);
    let mut variants = Vec::new();
    for (user, uid) in users {
        let k = |name: &str| format!("{name}/{user}");
        variants.push(Variant::external(
            &k("seven"),
            &[&launcher, "seven", TRUE],
            uid,
        ));
        variants.push(Variant::external(&k("bwrap"), &strs(&bwrap), uid));
        for (name, _, _) in FEATURES {
            variants.push(Variant::external(&k(name), &[&launcher, name, TRUE], uid));
            if let Some(argv) = bwrap_feature(name) {
                variants.push(Variant::external(
                    &k(&format!("bwrap-{name}")),
                    &strs(&argv),
                    uid,
                ));
            }
        }
    }
    let s = measure(
        "features",
        &variants,
        10,
        config.rounds(300),
        config.rounds(60),
        Duration::from_secs(150),
    );
    report.line("## Features: what each statement of the policy adds");
    report.line("");
    report.line(
        "The seven-mount sandbox (`bench-exec seven`, a static launcher) with one statement \
         added, running `/bin/true`; \"added\" is the median of per-round differences with \
         the same launcher without it. bubblewrap's nearest flags beside, added to its own \
         seven-mount command line, where it has them. Capabilities are dropped in every row \
         (the default); `caps` keeps one.",
    );
    report.line("");
    report.line(
        "| statement | root | added | bubblewrap added | uid 65534 | added | bubblewrap added |",
    );
    report.line("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut line = String::from("| the seven-mount sandbox |");
    for user in ["root", "nobody"] {
        write!(line, " {} | – | – |", s.cell(&format!("seven/{user}"))).unwrap();
    }
    report.line(line);
    for (name, _, label) in FEATURES {
        let mut line = format!("| {label} |");
        for user in ["root", "nobody"] {
            let key = format!("{name}/{user}");
            let added = s
                .paired(&key, &format!("seven/{user}"))
                .map_or("–".into(), ms);
            let bwrap = s
                .paired(&format!("bwrap-{name}/{user}"), &format!("bwrap/{user}"))
                .map_or("–".into(), ms);
            write!(line, " {} | {added} | {bwrap} |", s.cell(&key)).unwrap();
        }
        report.line(line);
    }
    report.line("");
}

//! Generates the namespaces of the binds (N read-only binds of distinct directories)
//! and the layers (one union of N layers): a thousand statements are better written
//! by a loop. The sources live under `/tmp/mountns-bench`, which `bench/run` creates.

use std::fmt::Write as _;
use std::path::Path;

/// Where `bench/run` creates the sources; the harness and the script agree on it.
const ROOT: &str = "/tmp/mountns-bench";
/// The binds: the number of binds on top of the seven-mount sandbox.
const BINDS: [usize; 4] = [1, 10, 100, 1000];
/// The layers: the number of sources of the union (the runtime adds the skeleton as one
/// more layer, so 499 is overlayfs's 500).
const LAYERS: [usize; 4] = [2, 10, 100, 499];
/// The length of the seccomp benchmark's allow list.
const ALLOWED: usize = 300;

fn main() {
    let mut code = String::new();
    code.push_str("mountns::namespace! {\n");
    for n in BINDS {
        writeln!(
            code,
            "    /// The seven-mount sandbox and {n} read-only binds."
        )
        .unwrap();
        writeln!(
            code,
            "    pub static BINDS_{n} = {{\n        include SEVEN;"
        )
        .unwrap();
        for i in 0..n {
            writeln!(
                code,
                "        bind ro \"/binds/d{i}/\" \"{ROOT}/binds/d{i}\";"
            )
            .unwrap();
        }
        code.push_str("    };\n");
    }
    for n in LAYERS {
        writeln!(
            code,
            "    /// The seven-mount sandbox and a union of {n} sources."
        )
        .unwrap();
        writeln!(
            code,
            "    pub static LAYERS_{n} = {{\n        include SEVEN;"
        )
        .unwrap();
        code.push_str("        bind \"/u/\" [");
        for i in 0..n {
            write!(code, "\"{ROOT}/u/{i}/\", ").unwrap();
        }
        code.push_str("];\n    };\n");
    }
    // The seccomp benchmark's allow list: the first 300 calls of x86_64 by number
    // (`execve` and `getppid` among them), with its programs at /opt/bench.
    let mut calls: Vec<(&str, u32)> = mountns_seccomp::tables::X86_64.to_vec();
    calls.sort_by_key(|&(_, number)| number);
    calls.truncate(ALLOWED);
    writeln!(
        code,
        "    /// The seven-mount sandbox with an allow list of {ALLOWED} calls.\n    pub static SEVEN_ALLOW_{ALLOWED} = {{\n        include SEVEN_BENCH;\n        syscalls allow [{}];\n    }};",
        calls.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    )
    .unwrap();
    code.push_str("}\n\n");
    writeln!(
        code,
        "/// The directory under which the sources of the binds and layers live."
    )
    .unwrap();
    writeln!(code, "pub const ROOT: &str = {ROOT:?};").unwrap();
    writeln!(
        code,
        "/// The binds' sizes.\npub const BINDS: [usize; {}] = {BINDS:?};",
        BINDS.len()
    )
    .unwrap();
    writeln!(
        code,
        "/// The layers' sizes.\npub const LAYERS: [usize; {}] = {LAYERS:?};",
        LAYERS.len()
    )
    .unwrap();
    code.push_str("/// The binds' namespaces, by size.\npub fn binds(n: usize) -> &'static mountns::Namespace {\n    match n {\n");
    for n in BINDS {
        writeln!(code, "        {n} => &BINDS_{n},").unwrap();
    }
    code.push_str("        _ => panic!(\"no binds namespace of this size\"),\n    }\n}\n");
    code.push_str("/// The layers' namespaces, by size.\npub fn layers(n: usize) -> &'static mountns::Namespace {\n    match n {\n");
    for n in LAYERS {
        writeln!(code, "        {n} => &LAYERS_{n},").unwrap();
    }
    code.push_str("        _ => panic!(\"no layers namespace of this size\"),\n    }\n}\n");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("generated.rs"), code).expect("write generated.rs");
    println!("cargo::rerun-if-changed=build.rs");
}

//! The checks of `assert` statements on the sources only const evaluation knows (a
//! constant, a package and its inputs, a source of another invocation's namespace): the
//! macro emits a `const` per source and assertion, spanned at the assertion, so a
//! violation stays a compile error that names the path and, for a package's input, the
//! packages it came through.

use mountns_paths::under;

use crate::package::{Layers, Package, Source};

/// A path the table asserts hidden: normalized, its assertion (`hidden /home/`, or
/// `no_dev` for `/dev`), and as the assertion wrote it.
pub struct HiddenPath {
    pub path: &'static str,
    pub assertion: &'static str,
    pub written: &'static str,
}

/// Where a source stands, for the message: `of` names the include an assertion came
/// through (or is empty), `place` the mount (`a layer of the union on "/opt/"`), `by`
/// the statement.
struct Report<'a> {
    hidden: &'a [HiddenPath],
    of: &'a str,
    place: &'a str,
    by: &'a str,
}

/// The packages above one that is being walked: each an input of the next.
struct Chain<'a> {
    path: &'static [u8],
    up: Option<&'a Chain<'a>>,
}

/// What a walk of a source found: its distinct paths, and the first.
struct Walked {
    count: usize,
    first: &'static [u8],
}

/// Fails to compile if `source`, expanded (a package with its inputs, depth first), has
/// a path at or under one of `hidden`, or holding one.
pub const fn assert_hidden(source: Source, hidden: &[HiddenPath], of: &str, place: &str, by: &str) {
    walk(
        source,
        &Report {
            hidden,
            of,
            place,
            by,
        },
    );
}

/// Fails to compile if `source` expands to one path: it is then a bind, writable since
/// the statement has no `ro` (several make a read-only union). The message is `head`,
/// the path quoted, then `tail`.
pub const fn assert_read_only(source: Source, head: &str, tail: &str) {
    let walked = walk(
        source,
        &Report {
            hidden: &[],
            of: "",
            place: "",
            by: "",
        },
    );
    if walked.count == 1 {
        let mut message = Message::new();
        message.push(head.as_bytes());
        message.quoted(walked.first);
        message.push(tail.as_bytes());
        message.fail();
    }
}

/// Walks the paths of `source` in the order of its expansion, each once, checking each
/// against `report.hidden`. A path that breaks the path rules is skipped: the table's
/// own expansion reports it.
const fn walk(source: Source, report: &Report) -> Walked {
    let mut seen = Layers::empty();
    let mut walked = Walked {
        count: 0,
        first: b"",
    };
    match source {
        Source::Path(path) => {
            visit(&mut seen, &mut walked, path.as_bytes(), None, report);
        }
        Source::Layers(sources) => {
            let mut i = 0;
            while i < sources.len() {
                // A slot is given when entering: no path to check here.
                if let mountns_runtime::Source::Host(path) = sources[i] {
                    visit(&mut seen, &mut walked, path.to_bytes(), None, report);
                }
                i += 1;
            }
        }
        Source::Package(package) => walk_package(&mut seen, &mut walked, package, None, report),
        Source::Slot(_) => {}
    }
    walked
}

const fn walk_package(
    seen: &mut Layers,
    walked: &mut Walked,
    package: Package,
    up: Option<&Chain>,
    report: &Report,
) {
    let Some(path) = visit(seen, walked, package.path().as_bytes(), up, report) else {
        return;
    };
    let here = Chain { path, up };
    let inputs = package.inputs();
    let mut i = 0;
    while i < inputs.len() {
        walk_package(seen, walked, *inputs[i], Some(&here), report);
        i += 1;
    }
}

/// Checks one path, unless it was seen: its normalized form if it is new.
const fn visit(
    seen: &mut Layers,
    walked: &mut Walked,
    path: &'static [u8],
    up: Option<&Chain>,
    report: &Report,
) -> Option<&'static [u8]> {
    let Ok(len) = mountns_paths::check(path) else {
        return None;
    };
    let path = path.split_at(len).0;
    if !seen.insert(path) {
        return None;
    }
    if walked.count == 0 {
        walked.first = path;
    }
    walked.count += 1;
    let mut i = 0;
    while i < report.hidden.len() {
        let hidden = &report.hidden[i];
        let how = if under(path, hidden.path.as_bytes()) {
            How::At
        } else if under(hidden.path.as_bytes(), path) {
            How::Holds
        } else if under(path, b"/proc") {
            How::Procfs
        } else {
            How::Not
        };
        if !matches!(how, How::Not) {
            exposed(path, hidden, how, up, report);
        }
        i += 1;
    }
    Some(path)
}

/// How a path exposes a hidden one.
#[derive(Clone, Copy)]
enum How {
    /// It is the hidden path, or lies under it.
    At,
    /// It holds the hidden path.
    Holds,
    /// It is the host's procfs, whose `/proc/PID/root` links reach every host path.
    Procfs,
    Not,
}

/// The message of a hidden path that `path` exposes, such as: mountns: assertion "hidden /home/" fails: "/home/ci" is a
/// layer of the union on "/opt/" (an input of "/srv/store/app"), from `bind "/opt/"
/// [APP]`.
const fn exposed(
    path: &[u8],
    hidden: &HiddenPath,
    how: How,
    up: Option<&Chain>,
    report: &Report,
) -> ! {
    let mut message = Message::new();
    message.push(b"mountns: assertion \"");
    message.push(hidden.assertion.as_bytes());
    message.push(b"\"");
    message.push(report.of.as_bytes());
    message.push(b" fails: ");
    message.quoted(path);
    match how {
        How::Holds => {
            message.push(b", which holds ");
            message.push(hidden.written.as_bytes());
            message.push(b",");
        }
        How::Procfs => {
            message.push(b", the host's procfs (its /proc/PID/root reaches ");
            message.push(hidden.written.as_bytes());
            message.push(b"),");
        }
        How::At | How::Not => {}
    }
    message.push(b" is ");
    message.push(report.place.as_bytes());
    let mut chain = up;
    let mut first = true;
    while let Some(link) = chain {
        message.push(if first {
            b" (an input of "
        } else {
            b", an input of "
        });
        message.quoted(link.path);
        first = false;
        chain = link.up;
    }
    if !first {
        message.push(b")");
    }
    message.push(b", from ");
    message.push(report.by.as_bytes());
    message.fail()
}

/// A panic message composed in const evaluation, cut short (at a character boundary)
/// past its capacity.
struct Message {
    bytes: [u8; 16384],
    len: usize,
}

impl Message {
    const fn new() -> Message {
        Message {
            bytes: [0; 16384],
            len: 0,
        }
    }

    const fn push(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn quoted(&mut self, path: &[u8]) {
        self.push(b"\"");
        self.push(path);
        self.push(b"\"");
    }

    const fn fail(&self) -> ! {
        let bytes = self.bytes.split_at(self.len).0;
        let text = match core::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => match core::str::from_utf8(bytes.split_at(error.valid_up_to()).0) {
                Ok(text) => text,
                Err(_) => "mountns: an assertion fails",
            },
        };
        panic!("{}", text)
    }
}

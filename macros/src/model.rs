//! The macro's data model: the types every stage reads or writes, on the ground
//! floor. It imports nothing of the crate; each stage imports what it needs from here
//! and hands its result to the next (`expand.rs` runs them in order).
//!
//! `parse` makes the syntax tree (`parse.rs`, its own types); `flatten` turns it into
//! [`Entry`]s and [`Settings`], `collapse` the entries into [`Mount`]s (or
//! [`Conflict`]s), and `emit` all of it, a [`Table`], into tokens.

use std::collections::{BTreeMap, BTreeSet};

use mountns_paths::words::{FLAGS, UNSHARE, bit};
use proc_macro2::{Span, TokenStream};
use syn::{Expr, Path};

/// The macro's bit for `rw`: a `file` that the program may write.
pub const RW: u32 = bit(FLAGS, "rw");

/// The macro's bit for `ro`.
pub const READ_ONLY: u32 = bit(FLAGS, "ro");

/// The macro's bit for `dev`.
pub const DEV: u32 = bit(FLAGS, "dev");

/// The macro's bit for `pid`, which `proc` implies.
pub const UNSHARE_PID: u32 = bit(UNSHARE, "pid");

/// The macro's bit for `uts`, which `hostname` implies.
pub const UNSHARE_UTS: u32 = bit(UNSHARE, "uts");

/// The statements that make something at a target, by keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Made {
    Proc,
    Dev,
    Dir,
    Symlink,
    File,
}

impl Made {
    pub const ALL: [Made; 5] = [Made::Proc, Made::Dev, Made::Dir, Made::Symlink, Made::File];

    /// The statement's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Made::Proc => "proc",
            Made::Dev => "dev",
            Made::Dir => "dir",
            Made::Symlink => "symlink",
            Made::File => "file",
        }
    }

    pub fn of(word: &str) -> Option<Made> {
        Made::ALL.into_iter().find(|made| made.keyword() == word)
    }
}

/// Errors gathered along the way, reported together.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }

    /// Every error gathered, and `last` after them.
    pub fn with(self, last: syn::Error) -> syn::Error {
        match self.0 {
            Some(mut all) => {
                all.combine(last);
                all
            }
            None => last,
        }
    }
}

/// One declared mount, after flattening lists and includes. `O` is whatever the
/// caller needs to point back at the statement (a span, an index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<O> {
    /// Normalized absolute target, without trailing slash.
    pub target: String,
    pub dir: bool,
    pub flags: u32,
    pub what: What,
    /// The mode of a `dir` or `file` (`mode(0644)`), if declared.
    pub mode: Option<u32>,
    /// The statement this entry was written in, counted once per time it is reached:
    /// two entries of one statement that are alike are a typo, of two statements a merge.
    pub stmt: usize,
    pub origin: O,
}

/// What an entry mounts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum What {
    /// A host source; the string identifies it (a normalized path, or the text of a
    /// constant expression).
    Host(String),
    /// A fresh tmpfs with these options.
    Tmpfs(String),
    /// The host's upper and work directories of a writable union, `upper(..)`: each
    /// a normalized path or `param(NAME)`.
    Upper { upper: String, work: String },
    /// What the runtime makes (`proc`, `dev`, `dir`, `symlink`, `file`), with what
    /// tells two alike apart: a link's text, a file's content as written.
    Made(Made, String),
}

/// Where an entry came from, for messages and for emitting its source.
#[derive(Clone)]
pub struct Origin {
    /// The statement of the declaration being expanded; for an included entry, the
    /// `include` statement that brought it in.
    pub stmt: TokenStream,
    /// The statement the entry was written in, as text.
    pub text: String,
    /// The includes it came through, outermost first.
    pub via: Vec<String>,
    /// The target literal's span.
    pub target_span: Span,
    pub source: SourceCode,
    /// Position among the declaration's entries.
    pub id: usize,
}

/// How to emit an entry's source.
#[derive(Clone)]
pub enum SourceCode {
    Lit(String, Span),
    Tmpfs(String, Vec<Param>),
    /// A run-time slot: its name.
    Param(String, Span),
    Expr(Box<Expr>),
    Included(Path, usize),
    /// Nothing beyond what the entry says: `proc`, `dev`, `dir`, `symlink`.
    Made,
    /// A file's content, an expression.
    Content(Box<Expr>),
    /// A file's content, read from the `row`th row of an included namespace's table.
    IncludedContent(Path, usize),
    /// A file's content given when entering: its slot's name.
    ContentParam(String, Span),
    /// `upper(UPPER, WORK)`: the host's upper and work directories.
    Upper(Box<[UpperPart; 2]>),
}

/// A declaration's process-wide settings, gathered from its statements and includes.
#[derive(Clone, Default)]
pub struct Settings {
    /// The namespaces to make, as bits of `valid::UNSHARE`: those declared and those
    /// that `proc` and `hostname` imply.
    pub unshare: u32,
    /// The host name, and the statement that set it first.
    pub hostname: Option<(String, String)>,
    pub new_session: bool,
    /// `as_pid_1;`: the program runs as pid 1 of the table's pid namespace (implied).
    pub as_pid_1: bool,
    /// The capabilities kept: bit `n` keeps the one numbered `n`, every bit is `all`.
    pub caps: u64,
    /// Each `caps` statement reached (its bits, and the statement as messages name it),
    /// for the assertion that names the one keeping too much.
    pub caps_statements: Vec<(u64, String)>,
    /// The ids chosen inside (`uid`, `gid`, `groups`), each with the statement that
    /// set it first.
    pub uid: Option<(u32, String)>,
    pub gid: Option<(u32, String)>,
    pub groups: Option<(Vec<u32>, String)>,
    /// The syscall statements (`syscalls`, `sockets`, `no_userns`).
    pub syscalls: Syscalls,
    /// The `assert` statements, the table's own and those of its includes.
    pub assertions: Vec<Asserted>,
    /// `landlock;` (`Some(false)`) or `landlock strict;` (`Some(true)`): strict if any
    /// statement says so.
    pub landlock: Option<bool>,
    /// The TCP ports of `connect [..]`: every port any statement names.
    pub connect: Option<BTreeSet<u16>>,
    /// The TCP ports of `bind_ports [..]`: every port any statement names.
    pub bind_ports: Option<BTreeSet<u16>>,
    /// The limits of `limit [..]`, by position in `valid::LIMITS`: the lowest given.
    pub limits: BTreeMap<usize, u64>,
    /// The seconds of `timeout(N)`: the shortest given.
    pub timeout: Option<u32>,
    /// The directory the program starts in, and the statement that set it first.
    pub chdir: Option<(String, String)>,
    /// Whether the program starts without the inherited environment (`env clear;`).
    pub env_clear: bool,
    /// The variables set, in order: name, value, and the statement that set it first.
    pub env: Vec<(String, String, String)>,
}

impl Origin {
    pub fn describe(&self) -> String {
        Origin::describe_text(&self.text, &self.via)
    }

    /// A statement as messages name it: its text, and the includes it came through.
    pub fn describe_text(text: &str, via: &[String]) -> String {
        if via.is_empty() {
            format!("`{text}`")
        } else {
            format!("`{text}` (included from {})", via.join(" > "))
        }
    }
}

/// An upper or work directory of `upper(..)`: a host path, or a slot's name.
#[derive(Clone, Debug)]
pub struct UpperPart {
    /// The normalized path, or the slot's name.
    pub value: String,
    pub param: bool,
    pub span: Span,
}

impl UpperPart {
    /// The host path, if it is one.
    pub fn path(&self) -> Option<&str> {
        (!self.param).then_some(self.value.as_str())
    }

    /// What tells two apart: the path, or `param(NAME)`.
    pub fn identity(&self) -> String {
        if self.param {
            format!("param({})", self.value)
        } else {
            self.value.clone()
        }
    }
}

/// One tmpfs option, split: `size=10M` is `("size", Some("10M"))`.
pub type Param = (String, Option<String>);

/// One mount of the collapsed table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount<O> {
    pub target: String,
    pub dir: bool,
    pub flags: u32,
    pub kind: Kind<O>,
    /// The runtime makes this mountpoint (or this directory, link or file) inside the
    /// nearest enclosing mount, a tmpfs of this table, once that is mounted.
    pub in_tmpfs: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind<O> {
    Bind(Entry<O>),
    Tmpfs(Entry<O>),
    Union {
        /// Top first, in declaration order.
        lowers: Vec<Entry<O>>,
        upper: Option<Entry<O>>,
    },
    /// `proc`, `dev`, `dir`, `symlink` or `file`: alone on its target.
    Make(Entry<O>),
}

/// Why a set of entries cannot be collapsed; `at` is the entry to blame (the later
/// one in declaration order), `other` the one it clashes with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict<O> {
    pub problem: Problem,
    pub at: Entry<O>,
    pub other: Option<Entry<O>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Two tmpfs on one target.
    TwoTmpfs,
    /// A target used as a file in one entry and a directory in another.
    FileAndDir,
    /// More layers than overlayfs stacks.
    TooManyLayers(usize),
    /// The same source twice on one target, in one statement.
    SameSource,
    /// The same source on one target with different flags.
    DifferentFlags,
    /// `ro` on a union whose upper is a tmpfs.
    ReadOnlyWritableUnion,
    /// `ro` on a lone tmpfs: it would stay empty.
    ReadOnlyTmpfs,
    /// `dev` on a tmpfs or a writable union (`other`, its tmpfs): `dev` lets a host
    /// source's device nodes work, and these hold writes, where no node can be made.
    DevOnTmpfs,
    /// A mount under a target that is a file mount.
    UnderFile,
    /// A union layer overlayfs refuses: `/proc`, `/sys` or what lies under them, `/dev`.
    LayerRefused,
    /// Two layers of one union where one lies under the other (`other`), which
    /// overlayfs refuses (ELOOP).
    OverlappingLayers,
    /// Something the runtime makes shares its target with another statement.
    Shared,
    /// A mount, directory, link or file under a `proc` target.
    UnderProc,
    /// A `dir` or `symlink` whose nearest enclosing mount is a host source (`other`):
    /// it would be made in the host's directory.
    InHost,
    /// `upper(..)` with no other source on its target: nothing to lay it over.
    UpperAlone,
    /// Two writable layers (tmpfs or `upper(..)`) on one target, one of them an upper.
    TwoUppers,
    /// The upper or work directory (`at`) is, holds or lies in a layer (`other`) of its
    /// union, which overlayfs refuses.
    UpperOverLayer,
    /// Two unions (`at` and `other`) whose upper or work directories are one, or lie
    /// one in the other: overlayfs lets each pair serve one union.
    SharedUpper,
}

impl<O> Entry<O> {
    /// What the entry makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<Made> {
        match self.what {
            What::Made(made, _) => Some(made),
            What::Host(_) | What::Tmpfs(_) | What::Upper { .. } => None,
        }
    }
}

impl<O> Mount<O> {
    /// What the mount makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<Made> {
        match &self.kind {
            Kind::Make(entry) => entry.made(),
            Kind::Bind(_) | Kind::Tmpfs(_) | Kind::Union { .. } => None,
        }
    }

    /// The entry that stands for the mount in messages: the first declared of its
    /// target.
    pub fn representative(&self) -> &Entry<O> {
        match &self.kind {
            Kind::Bind(entry) | Kind::Tmpfs(entry) | Kind::Make(entry) => entry,
            Kind::Union { lowers, upper } => upper.as_ref().unwrap_or(&lowers[0]),
        }
    }

    /// The entries the mount was collapsed from, its upper first: collapsing them again
    /// gives the same mount.
    pub fn entries(&self) -> Vec<&Entry<O>> {
        match &self.kind {
            Kind::Bind(entry) | Kind::Tmpfs(entry) | Kind::Make(entry) => vec![entry],
            Kind::Union { lowers, upper } => upper.iter().chain(lowers).collect(),
        }
    }
}

/// One `syscalls deny`, `syscalls allow` or `sockets` statement: its items, and the
/// statement as messages name it.
#[derive(Clone)]
pub struct List {
    pub items: Vec<String>,
    pub described: String,
}

/// The syscall statements gathered so far.
#[derive(Clone, Default)]
pub struct Syscalls {
    pub deny: Vec<List>,
    pub allow: Vec<List>,
    /// The errno's name, and the statement that set it first.
    pub errno: Option<(String, String)>,
    pub sockets: Vec<List>,
    pub no_userns: bool,
}

/// An assertion, its values checked, and where it was written.
#[derive(Clone)]
pub struct Asserted {
    pub what: Property,
    pub site: Site,
}

/// What an assertion asks of the composed table.
#[derive(Clone)]
pub enum Property {
    /// `hidden [..]`: no host source at, under or above these paths.
    Hidden(Vec<Listed>),
    /// `readonly`, `readonly except [..]`: every host source read-only, except on or
    /// under these targets.
    ReadOnly(Vec<Listed>),
    /// `unshared [..]`: each namespace (its bit of `UNSHARE`, its word, the word's
    /// span) is the table's own.
    Unshared(Vec<(u32, String, Span)>),
    /// `no_dev`: no `dev` flag and no host `/dev`; the fresh `/dev` of `dev` is fine.
    NoDev(Span),
    /// `caps [..]`: the program keeps at most these capabilities (bit `n` the one
    /// numbered `n`), and the list's span.
    Caps(u64, Span),
}

/// A path an assertion lists: normalized, as written, and where it was written.
#[derive(Clone)]
pub struct Listed {
    pub path: String,
    pub written: String,
    pub span: Span,
}

/// Where an assertion was written: the `assert` statement, or the include of the table's
/// own that brought it, and the includes it came through.
#[derive(Clone)]
pub struct Site {
    pub stmt: TokenStream,
    pub via: Vec<String>,
}

/// A declaration's entries, in declaration order, its collapsed table and its
/// process-wide settings.
pub struct Table {
    pub entries: Vec<Entry<Origin>>,
    pub mounts: Vec<Mount<Origin>>,
    pub settings: Settings,
}

/// Whether `child` lies strictly under `parent` (normalized paths).
pub fn is_under(child: &str, parent: &str) -> bool {
    if parent == "/" {
        return child != "/";
    }
    child.len() > parent.len()
        && child.starts_with(parent)
        && child.as_bytes()[parent.len()] == b'/'
}

/// A target as it was written: `"/etc/"` for a directory, `"/etc/passwd"` for a file.
pub fn quoted(target: &str, dir: bool) -> String {
    let slash = if dir && target != "/" { "/" } else { "" };
    format!("\"{target}{slash}\"")
}

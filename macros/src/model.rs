//! The macro's data model: the types every stage reads or writes, on the ground
//! floor. It imports nothing of the crate; each stage imports what it needs from here
//! and hands its result to the next (`expand.rs` runs them in order).
//!
//! `parse` makes the syntax tree (`parse.rs`, its own types); `flatten` turns it into
//! [`Entry`]s and [`Settings`], `collapse` the entries into [`Mount`]s (or
//! [`Conflict`]s), and `emit` all of it, a [`Table`], into tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use mountns_paths::words::{FLAGS, UNSHARE, bit};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MadeKind {
    Proc,
    Dev,
    Dir,
    Symlink,
    File,
}

impl MadeKind {
    pub const ALL: [MadeKind; 5] = [
        MadeKind::Proc,
        MadeKind::Dev,
        MadeKind::Dir,
        MadeKind::Symlink,
        MadeKind::File,
    ];

    /// The statement's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            MadeKind::Proc => "proc",
            MadeKind::Dev => "dev",
            MadeKind::Dir => "dir",
            MadeKind::Symlink => "symlink",
            MadeKind::File => "file",
        }
    }

    /// The kind a keyword names.
    pub fn of(word: &str) -> Option<MadeKind> {
        MadeKind::ALL
            .into_iter()
            .find(|kind| kind.keyword() == word)
    }
}

/// One declared mount, or one thing the runtime makes, after flattening lists and
/// includes: what goes on a target. `O` points back at the statement (an [`Origin`];
/// an index in tests). `W` is what goes there: any [`What`] as flattened; in a
/// collapsed [`Kind`], the payload of that kind of mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<O, W = What> {
    /// Normalized absolute target, without trailing slash.
    pub target: String,
    pub dir: bool,
    /// Bits of `mountns_paths::words::FLAGS`.
    pub flags: u32,
    pub what: W,
    /// The statement this entry was written in, counted once per time it is reached:
    /// two entries of one statement that are alike are a typo, of two statements a merge.
    pub stmt: usize,
    /// The row of its mount in the collapsed table: set by the collapse.
    pub row: usize,
    pub origin: O,
}

/// What an entry puts on its target, with all it takes to emit it. Two are the same
/// thing if they have one [`Identity`] (`==` compares that, never a span).
#[derive(Clone)]
pub enum What {
    /// A host source: bound alone, or a layer of a union.
    Host(Host),
    /// A tmpfs alone, or the writable layer of a union.
    Writable(Writable),
    /// What the runtime makes.
    Made(Made),
}

/// A host source of a bind, or a layer of a union.
#[derive(Clone)]
pub enum Host {
    /// A host path written as a string literal: normalized, and the literal's span.
    Path(String, Span),
    /// `param(NAME)`: a host path given when entering, by its slot's name.
    Slot(String, Span),
    /// A constant expression (a `&'static str`, a package), expanded while the user's
    /// crate compiles. `source` is its index among the table's expanded sources.
    Constant { expr: Box<Expr>, source: usize },
    /// `@src(N)`: the `index`th expanded source of the included namespace `from`.
    /// `source` is its index among this table's.
    Included {
        from: Path,
        index: usize,
        source: usize,
    },
}

/// The writable layer of a union (or a tmpfs alone): a fresh tmpfs, or the host's
/// upper and work directories.
#[derive(Clone)]
pub enum Writable {
    Tmpfs(Tmpfs),
    /// `upper(UPPER, WORK)`.
    Upper([UpperPart; 2]),
}

/// A fresh tmpfs: its options as written (`size=10M,mode=1777`), and split.
#[derive(Clone)]
pub struct Tmpfs {
    pub options: String,
    pub params: Vec<Param>,
}

/// One tmpfs option, split: `size=10M` is `("size", Some("10M"))`.
pub type Param = (String, Option<String>);

/// An upper or work directory of `upper(..)`: a host path, or a slot's name.
#[derive(Clone, Debug)]
pub struct UpperPart {
    /// The normalized path, or the slot's name.
    pub value: String,
    pub param: bool,
    pub span: Span,
}

/// What the runtime makes on a target, by `proc`, `dev`, `dir`, `symlink` or `file`.
#[derive(Clone)]
pub enum Made {
    Proc,
    Dev,
    /// A directory, and its declared mode.
    Dir {
        mode: Option<u32>,
    },
    /// A link, and its text.
    Symlink(String),
    /// A file, its content and its declared mode.
    File {
        content: Content,
        mode: Option<u32>,
    },
}

/// A file's content.
#[derive(Clone)]
pub enum Content {
    /// A constant expression: a string or byte string literal, or any `&str`, `&[u8]`
    /// or `&[u8; N]` constant.
    Expr(Box<Expr>),
    /// `param(NAME)`: given when entering, by its slot's name.
    Slot(String, Span),
    /// `@content(ROW)`: the content of row `row` of the included namespace `from`.
    Included { from: Path, row: usize },
}

/// What tells two entries on one target apart: two of one identity are the same
/// thing reached twice (or written twice); of two, a union or a conflict.
#[derive(Debug, PartialEq, Eq)]
pub enum Identity<'a> {
    Path(&'a str),
    Slot(&'a str),
    /// A constant, by its tokens.
    Constant(String),
    /// An included namespace's source: the namespace's path, by its tokens, and the
    /// index of the source there.
    Included(String, usize),
    Tmpfs(&'a str),
    /// The upper and work directories: each a path or a slot's name (`true`).
    Upper([(&'a str, bool); 2]),
    /// What the runtime makes: its keyword, what tells two alike apart, and its mode.
    Made(MadeKind, Detail<'a>, Option<u32>),
}

/// What tells two things the runtime makes alike apart: a link's text, a file's
/// content (a literal's bytes, so that `"a"` and `b"a"` are one content).
#[derive(Debug, PartialEq, Eq)]
pub enum Detail<'a> {
    None,
    Text(&'a str),
    Bytes(Vec<u8>),
    /// A constant's tokens.
    Constant(String),
    Slot(&'a str),
    /// An included namespace's path, by its tokens, and the row of the file there.
    Included(String, usize),
}

impl What {
    pub fn identity(&self) -> Identity<'_> {
        match self {
            What::Host(host) => host.identity(),
            What::Writable(writable) => writable.identity(),
            What::Made(made) => made.identity(),
        }
    }

    /// What the entry makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<&Made> {
        match self {
            What::Made(made) => Some(made),
            What::Host(_) | What::Writable(_) => None,
        }
    }
}

impl Host {
    pub fn identity(&self) -> Identity<'_> {
        match self {
            Host::Path(path, _) => Identity::Path(path),
            Host::Slot(name, _) => Identity::Slot(name),
            Host::Constant { expr, .. } => Identity::Constant(expr.to_token_stream().to_string()),
            Host::Included { from, index, .. } => {
                Identity::Included(from.to_token_stream().to_string(), *index)
            }
        }
    }

    /// The host path written as a literal, if it is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Host::Path(path, _) => Some(path),
            Host::Slot(..) | Host::Constant { .. } | Host::Included { .. } => None,
        }
    }

    /// Where the source was written: the literal, the slot's name or the expression
    /// (an included source was written in another invocation).
    pub fn span(&self) -> Option<Span> {
        match self {
            Host::Path(_, span) | Host::Slot(_, span) => Some(*span),
            Host::Constant { expr, .. } => Some(syn::spanned::Spanned::span(&**expr)),
            Host::Included { .. } => None,
        }
    }

    /// The index among the table's expanded sources of a source expanded while the
    /// user's crate compiles (a constant, a package, a source of an included
    /// namespace), whose paths only const evaluation knows.
    pub fn source(&self) -> Option<usize> {
        match self {
            Host::Constant { source, .. } | Host::Included { source, .. } => Some(*source),
            Host::Path(..) | Host::Slot(..) => None,
        }
    }
}

impl Writable {
    pub fn identity(&self) -> Identity<'_> {
        match self {
            Writable::Tmpfs(tmpfs) => tmpfs.identity(),
            Writable::Upper(parts) => Identity::Upper(
                parts
                    .each_ref()
                    .map(|part| (part.value.as_str(), part.param)),
            ),
        }
    }
}

impl Tmpfs {
    pub fn identity(&self) -> Identity<'_> {
        Identity::Tmpfs(&self.options)
    }
}

impl UpperPart {
    /// The host path, if it is one.
    pub fn path(&self) -> Option<&str> {
        (!self.param).then_some(self.value.as_str())
    }

    /// Whether two are one directory: one path, or one slot.
    pub fn same(&self, other: &UpperPart) -> bool {
        self.value == other.value && self.param == other.param
    }
}

impl Made {
    pub fn identity(&self) -> Identity<'_> {
        let detail = match self {
            Made::Proc | Made::Dev | Made::Dir { .. } => Detail::None,
            Made::Symlink(text) => Detail::Text(text),
            Made::File { content, .. } => match content {
                Content::Expr(expr) => match &**expr {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }) => Detail::Bytes(text.value().into_bytes()),
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::ByteStr(bytes),
                        ..
                    }) => Detail::Bytes(bytes.value()),
                    expr => Detail::Constant(expr.to_token_stream().to_string()),
                },
                Content::Slot(name, _) => Detail::Slot(name),
                Content::Included { from, row } => {
                    Detail::Included(from.to_token_stream().to_string(), *row)
                }
            },
        };
        Identity::Made(self.kind(), detail, self.mode())
    }

    /// Its statement's keyword.
    pub fn keyword(&self) -> &'static str {
        self.kind().keyword()
    }

    /// Its kind, by its statement's keyword.
    pub fn kind(&self) -> MadeKind {
        match self {
            Made::Proc => MadeKind::Proc,
            Made::Dev => MadeKind::Dev,
            Made::Dir { .. } => MadeKind::Dir,
            Made::Symlink(_) => MadeKind::Symlink,
            Made::File { .. } => MadeKind::File,
        }
    }

    /// The mode declared with `mode(..)`.
    pub fn mode(&self) -> Option<u32> {
        match self {
            Made::Dir { mode } | Made::File { mode, .. } => *mode,
            Made::Proc | Made::Dev | Made::Symlink(_) => None,
        }
    }
}

/// `==` and `Debug` by identity, the spans and syn nodes left out.
macro_rules! by_identity {
    ($($payload:ty),*) => {$(
        impl PartialEq for $payload {
            fn eq(&self, other: &Self) -> bool {
                self.identity() == other.identity()
            }
        }

        impl Eq for $payload {}

        impl fmt::Debug for $payload {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.identity().fmt(f)
            }
        }
    )*};
}

by_identity!(What, Host, Writable, Tmpfs, Made);

impl From<Host> for What {
    fn from(host: Host) -> What {
        What::Host(host)
    }
}

impl From<Writable> for What {
    fn from(writable: Writable) -> What {
        What::Writable(writable)
    }
}

impl From<Tmpfs> for What {
    fn from(tmpfs: Tmpfs) -> What {
        What::Writable(Writable::Tmpfs(tmpfs))
    }
}

impl From<Made> for What {
    fn from(made: Made) -> What {
        What::Made(made)
    }
}

impl<O, W> Entry<O, W> {
    /// The same entry with another payload.
    pub fn with<V>(&self, what: V) -> Entry<O, V>
    where
        O: Clone,
    {
        Entry {
            target: self.target.clone(),
            dir: self.dir,
            flags: self.flags,
            what,
            stmt: self.stmt,
            row: self.row,
            origin: self.origin.clone(),
        }
    }

    /// The same entry, its payload a [`What`].
    pub fn widened(&self) -> Entry<O>
    where
        O: Clone,
        W: Clone + Into<What>,
    {
        self.with(self.what.clone().into())
    }
}

impl<O> Entry<O> {
    /// Whether two entries put one thing on their target (reached twice, or written
    /// twice): one identity, and for what the runtime makes also the same `rw`.
    pub fn alike(&self, other: &Entry<O>) -> bool {
        self.what == other.what
            && (self.what.made().is_none() || self.flags & RW == other.flags & RW)
    }

    /// What the entry makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<&Made> {
        self.what.made()
    }
}

/// Where an entry came from, for messages and spans.
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

/// One mount of the collapsed table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount<O> {
    pub target: String,
    pub dir: bool,
    pub flags: u32,
    pub kind: Kind<O>,
    /// Where the runtime makes this mountpoint (or this directory, link or file).
    pub made_in: MadeIn,
}

/// Where the runtime makes a mountpoint (or a `dir`, `symlink` or `file`): with the
/// skeleton, or inside the nearest enclosing mount once that is mounted, since that
/// mount hides the skeleton below it (a `tmpfs`, a `dev`) or takes what is made in it
/// (a writable union's upper tmpfs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MadeIn {
    Skeleton,
    Tmpfs,
    Dev,
    Upper,
}

impl MadeIn {
    /// The runtime's `MadeIn` variant of the same name.
    pub fn name(self) -> &'static str {
        match self {
            MadeIn::Skeleton => "Skeleton",
            MadeIn::Tmpfs => "Tmpfs",
            MadeIn::Dev => "Dev",
            MadeIn::Upper => "Upper",
        }
    }
}

/// What a mount is, each kind with its entries' payloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind<O> {
    Bind(Entry<O, Host>),
    Tmpfs(Entry<O, Tmpfs>),
    Union {
        /// Top first, in declaration order.
        lowers: Vec<Entry<O, Host>>,
        upper: Option<Entry<O, Writable>>,
    },
    /// `proc`, `dev`, `dir`, `symlink` or `file`: alone on its target.
    Make(Entry<O, Made>),
}

impl<O> Mount<O> {
    /// What the mount makes, if it is not a mount of a source.
    pub fn made(&self) -> Option<&Made> {
        match &self.kind {
            Kind::Make(entry) => Some(&entry.what),
            Kind::Bind(_) | Kind::Tmpfs(_) | Kind::Union { .. } => None,
        }
    }

    /// The entry that stands for the mount in messages: the first declared of its
    /// target.
    pub fn representative(&self) -> Entry<O>
    where
        O: Clone,
    {
        match &self.kind {
            Kind::Bind(entry) => entry.widened(),
            Kind::Tmpfs(entry) => entry.widened(),
            Kind::Make(entry) => entry.widened(),
            Kind::Union {
                upper: Some(upper), ..
            } => upper.widened(),
            Kind::Union {
                lowers,
                upper: None,
            } => lowers[0].widened(),
        }
    }

    /// The entries the mount was collapsed from, its upper first: collapsing them again
    /// gives the same mount.
    pub fn entries(&self) -> Vec<Entry<O>>
    where
        O: Clone,
    {
        match &self.kind {
            Kind::Bind(entry) => vec![entry.widened()],
            Kind::Tmpfs(entry) => vec![entry.widened()],
            Kind::Make(entry) => vec![entry.widened()],
            Kind::Union { lowers, upper } => upper
                .iter()
                .map(Entry::widened)
                .chain(lowers.iter().map(Entry::widened))
                .collect(),
        }
    }
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

/// A declaration's process-wide settings, gathered from its statements and includes.
#[derive(Clone, Default)]
pub struct Settings {
    /// The namespaces to make, as bits of `mountns_paths::words::UNSHARE`: those declared and those
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
/// process-wide settings: what `emit` turns into tokens.
pub struct Table {
    pub entries: Vec<Entry<Origin>>,
    pub mounts: Vec<Mount<Origin>>,
    pub settings: Settings,
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

/// Whether `child` lies strictly under `parent` (normalized paths).
pub fn is_under(child: &str, parent: &str) -> bool {
    if parent == "/" {
        return child != "/";
    }
    child.len() > parent.len()
        && child.starts_with(parent)
        && child.as_bytes()[parent.len()] == b'/'
}

/// A target as it was written: `/etc/` for a directory, `/etc/passwd` for a file.
pub fn written(target: &str, dir: bool) -> String {
    let slash = if dir && target != "/" { "/" } else { "" };
    format!("{target}{slash}")
}

/// A target as it was written, quoted: `"/etc/"`.
pub fn quoted(target: &str, dir: bool) -> String {
    format!("\"{}\"", written(target, dir))
}

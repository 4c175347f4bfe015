//! Packages as sources, and the `const fn`s that expand them into union layers while
//! the user's crate compiles.

use core::ffi::CStr;

use mountns_paths::equal;

/// A directory tree and the packages it propagates (its runtime inputs): a Guix or Nix
/// store item, an unpacked image layer, a rootfs.
///
/// As a source, a package stands for itself followed by its inputs, recursively and
/// depth first; a path reached twice in one union appears once, at its first (highest)
/// place. Everything is resolved at compile time.
///
/// ```
/// use mountns::{Package, Source, namespace};
///
/// const OPENSSL: Package = Package::new("/gnu/store/…-openssl-3.0", &[]);
/// const CERTS: Package = Package::new("/gnu/store/…-nss-certs", &[&OPENSSL]);
///
/// namespace! { static NS = { bind "/" [CERTS, "/srv/tzdata/"]; }; }
///
/// let mountns::Kind::Union { lowers, .. } = NS.mounts()[0].kind() else { panic!() };
/// let layers = [c"/gnu/store/…-nss-certs", c"/gnu/store/…-openssl-3.0", c"/srv/tzdata"];
/// assert_eq!(lowers, layers.map(Source::Host));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Package {
    path: &'static str,
    inputs: &'static [&'static Package],
}

impl Package {
    /// The package at `path` (an absolute host directory), propagating `inputs`.
    pub const fn new(path: &'static str, inputs: &'static [&'static Package]) -> Package {
        Package { path, inputs }
    }

    /// Its directory, as given.
    pub const fn path(&self) -> &'static str {
        self.path
    }

    /// The packages it propagates, as given.
    pub const fn inputs(&self) -> &'static [&'static Package] {
        self.inputs
    }
}

/// Makes a [`Source`] of what a declaration names: `&str`, `Package` or `&Package`.
pub struct Wrap<T>(pub T);

impl Wrap<&'static str> {
    pub const fn source(self) -> Source {
        Source::Path(self.0)
    }
}

impl Wrap<Package> {
    pub const fn source(self) -> Source {
        Source::Package(self.0)
    }
}

impl Wrap<&'static Package> {
    pub const fn source(self) -> Source {
        Source::Package(*self.0)
    }
}

/// One source of a mount: a path, a package, a `param(NAME)` slot (filled when
/// entering), or the expanded layers of a source of an included namespace.
#[derive(Clone, Copy)]
pub enum Source {
    Path(&'static str),
    Package(Package),
    Slot(&'static CStr),
    Layers(&'static [mountns_runtime::Source]),
}

impl Source {
    /// Whether this is a package: a directory tree, never a file.
    pub const fn is_package(&self) -> bool {
        matches!(self, Source::Package(_))
    }
}

/// What is wrong with the layers of a mount: the first problem found, with the paths
/// it is about.
#[derive(Clone, Copy)]
enum Problem {
    /// A path that breaks the rules of a source.
    Path(mountns_paths::Problem, &'static [u8]),
    /// More layers than overlayfs stacks.
    TooMany,
    /// `/proc`, `/sys` or `/dev` (or under the first two) as a layer.
    Refused(&'static [u8]),
    /// A layer under another.
    Overlapping(&'static [u8], &'static [u8]),
}

/// The layers a union's sources may have: overlayfs's limit less the skeleton.
const MAX: usize = mountns_paths::layers::MAX;

/// The layers of a mount, top first, each path once, checked and normalized (no
/// trailing slash). Each path's hash makes the comparisons cheap enough for const
/// evaluation of 499 layers.
pub struct Layers {
    paths: [&'static [u8]; MAX],
    hashes: [u64; MAX],
    /// Which of `paths` are the names of `param(NAME)` slots, not host paths.
    slots: [bool; MAX],
    len: usize,
    /// The first problem found: [`Layers::message`] says it, and the macro's output
    /// turns that into a compile error at the source expression.
    problem: Option<Problem>,
}

impl Layers {
    /// Expands `sources` in order, packages depth first.
    pub const fn of(sources: &[Source]) -> Layers {
        let mut layers = Layers::empty();
        let mut i = 0;
        while i < sources.len() {
            match sources[i] {
                Source::Path(path) => {
                    if let Some(path) = layers.checked(path.as_bytes()) {
                        layers.push(path, false);
                    }
                }
                Source::Package(package) => layers.package(package),
                Source::Slot(name) => layers.push(name.to_bytes(), true),
                Source::Layers(sources) => {
                    let mut j = 0;
                    while j < sources.len() {
                        match sources[j] {
                            mountns_runtime::Source::Host(path) => {
                                layers.push(path.to_bytes(), false);
                            }
                            mountns_runtime::Source::Slot(name) => {
                                layers.push(name.to_bytes(), true);
                            }
                        }
                        j += 1;
                    }
                }
            }
            i += 1;
        }
        if layers.len > 1 {
            layers.check_union();
        }
        layers
    }

    /// None yet.
    pub(crate) const fn empty() -> Layers {
        Layers {
            paths: [b""; MAX],
            hashes: [0; MAX],
            slots: [false; MAX],
            len: 0,
            problem: None,
        }
    }

    /// Adds `path` unless it is there already or the layers are full, without the
    /// panic of a union over the limit (`Layers::of` reports it): whether it was added.
    pub(crate) const fn insert(&mut self, path: &'static [u8]) -> bool {
        if self.len == MAX || self.contains(path) {
            return false;
        }
        self.push(path, false);
        true
    }

    /// Records a problem, unless one was found before (the first is reported).
    const fn fail(&mut self, problem: Problem) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }

    /// `path` checked by the rules of a literal source, normalized; `None` (the problem
    /// recorded) if it breaks them.
    const fn checked(&mut self, path: &'static [u8]) -> Option<&'static [u8]> {
        match mountns_paths::check(path) {
            Ok(len) => Some(path.split_at(len).0),
            Err(problem) => {
                self.fail(Problem::Path(problem, path));
                None
            }
        }
    }

    /// A package then its inputs; a package already there brings nothing new.
    const fn package(&mut self, package: Package) {
        let Some(path) = self.checked(package.path.as_bytes()) else {
            return;
        };
        if self.contains(path) {
            return;
        }
        self.push(path, false);
        let mut i = 0;
        while i < package.inputs.len() {
            self.package(*package.inputs[i]);
            i += 1;
        }
    }

    const fn contains(&self, path: &[u8]) -> bool {
        self.find(hash(path), path)
    }

    /// Whether `path`, whose hash is `hash`, is among the layers.
    const fn find(&self, hash: u64, path: &[u8]) -> bool {
        let mut i = 0;
        while i < self.len {
            if self.hashes[i] == hash && equal(self.paths[i], path) {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Adds `path` (a slot's name if `slot`) unless it is there already.
    const fn push(&mut self, path: &'static [u8], slot: bool) {
        if self.contains(path) {
            return;
        }
        if self.len == MAX {
            self.fail(Problem::TooMany);
            return;
        }
        self.paths[self.len] = path;
        self.hashes[self.len] = hash(path);
        self.slots[self.len] = slot;
        self.len += 1;
    }

    /// What overlayfs refuses in a union: [`refused`](mountns_paths::layers::refused)
    /// layers, and two that [`overlap`](mountns_paths::layers::overlap), found by looking
    /// up each proper ancestor of each layer among the others.
    const fn check_union(&mut self) {
        let mut sorted = self.hashes;
        sort(&mut sorted, self.len);
        let sorted = sorted.split_at(self.len).0;
        let mut i = 0;
        while i < self.len {
            let path = self.paths[i];
            if mountns_paths::layers::refused(path) {
                self.fail(Problem::Refused(path));
            }
            let mut end = 1;
            while end < path.len() {
                if path[end] == b'/' || end == 1 {
                    let ancestor = path.split_at(end).0;
                    let hash = hash(ancestor);
                    if has(sorted, hash) && self.find(hash, ancestor) {
                        self.fail(Problem::Overlapping(path, ancestor));
                    }
                }
                end += 1;
            }
            i += 1;
        }
    }

    /// What is wrong with these layers, as the message of a compile error: the first
    /// problem found, naming its paths. `None` if nothing is.
    pub const fn message(&self) -> Option<Message> {
        let Some(problem) = self.problem else {
            return None;
        };
        let mut message = Message::new();
        match problem {
            Problem::Path(problem, path) => {
                message.push(b"mountns: the source ");
                message.quoted(path);
                message.push(b" (a constant, a package or one of its inputs) ");
                message.push(match problem {
                    mountns_paths::Problem::Empty | mountns_paths::Problem::Relative => {
                        b"is not absolute; a source is an absolute path, starting with /"
                    }
                    mountns_paths::Problem::Nul => b"contains a NUL byte",
                    mountns_paths::Problem::TooLong => {
                        b"is over 4095 bytes long, the kernel's PATH_MAX"
                    }
                    mountns_paths::Problem::EmptyComponent => {
                        b"has an empty component (//); write single slashes"
                    }
                    mountns_paths::Problem::Dot | mountns_paths::Problem::DotDot => {
                        b"contains a `.` or `..` component; write the path without them"
                    }
                });
            }
            Problem::TooMany => message.push(
                b"mountns: a union of more than 499 layers, packages expanded: over overlayfs's limit of 500 (one is the skeleton)",
            ),
            Problem::Refused(path) => {
                message.push(b"mountns: ");
                message.quoted(path);
                message.push(b" cannot be a union layer: overlayfs refuses /proc, /sys and /dev as layers; bind it on a target of its own");
            }
            Problem::Overlapping(path, ancestor) => {
                message.push(b"mountns: layers ");
                message.quoted(path);
                message.push(b" and ");
                message.quoted(ancestor);
                message.push(b" of one union overlap (the first lies under the second), which overlayfs refuses; drop one");
            }
        }
        Some(message)
    }

    /// A path of both `self` and `other`, if any: one source reached by two routes.
    pub const fn shared(&self, other: &Layers) -> Option<&'static [u8]> {
        let mut i = 0;
        while i < self.len {
            if other.find(self.hashes[i], self.paths[i]) {
                return Some(self.paths[i]);
            }
            i += 1;
        }
        None
    }

    /// How many layers.
    pub const fn count(&self) -> usize {
        self.len
    }

    /// The bytes of every layer: a tag ([`HOST`] or [`SLOT`]), its path or slot name,
    /// its NUL. `N` is [`Layers::bytes_len`].
    pub const fn bytes_len(&self) -> usize {
        let mut total = 0;
        let mut i = 0;
        while i < self.len {
            total += 1 + self.paths[i].len() + 1;
            i += 1;
        }
        total
    }

    pub const fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0; N];
        let mut at = 0;
        let mut i = 0;
        while i < self.len {
            let path = self.paths[i];
            bytes[at] = if self.slots[i] { SLOT } else { HOST };
            at += 1;
            let mut j = 0;
            while j < path.len() {
                bytes[at] = path[j];
                at += 1;
                j += 1;
            }
            at += 1;
            i += 1;
        }
        bytes
    }
}

/// The tag of a host path in [`Layers::bytes`].
const HOST: u8 = 0;
/// The tag of a slot's name in [`Layers::bytes`].
const SLOT: u8 = 1;

/// The `N` sources of a buffer from [`Layers::bytes`].
///
/// # Panics
///
/// If the buffer holds fewer (at compile time: the macro's output never does).
pub const fn split<const N: usize>(bytes: &'static [u8]) -> [mountns_runtime::Source; N] {
    let mut sources = [mountns_runtime::Source::Host(c""); N];
    let mut rest = bytes;
    let mut i = 0;
    while i < N {
        let Some((&tag, text)) = rest.split_first() else {
            panic!("mountns: a layer buffer too short");
        };
        let Ok(text) = CStr::from_bytes_until_nul(text) else {
            panic!("mountns: a layer buffer without its NUL");
        };
        sources[i] = if tag == SLOT {
            mountns_runtime::Source::Slot(text)
        } else {
            mountns_runtime::Source::Host(text)
        };
        rest = rest.split_at(1 + text.count_bytes() + 1).1;
        i += 1;
    }
    sources
}

// The limits in the messages of a long path and of too many layers.
const _: () = assert!(mountns_paths::MAX_LEN == 4095);
const _: () = assert!(MAX == 499 && mountns_paths::layers::OVERLAYFS_MAX == 500);

/// The text of a compile error found while expanding sources: room for two quoted
/// paths (each cut at 256 bytes) and the words around them.
pub struct Message {
    bytes: [u8; 1536],
    len: usize,
}

/// How much of a path a message shows.
const SHOWN: usize = 256;

impl Message {
    const fn new() -> Message {
        Message {
            bytes: [0; 1536],
            len: 0,
        }
    }

    /// Appends `text`, as much as fits.
    const fn push(&mut self, text: &[u8]) {
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
    }

    /// Appends `path` in double quotes, at most [`SHOWN`] bytes of it: a quote or a
    /// backslash escaped, and every control byte or byte of invalid UTF-8 as `\xNN`.
    const fn quoted(&mut self, path: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let cut = path.len() > SHOWN;
        let path = if cut { path.split_at(SHOWN).0 } else { path };
        self.push(b"\"");
        let mut i = 0;
        while i < path.len() {
            let byte = path[i];
            let printable = byte >= 0x20 && byte < 0x7f;
            if byte == b'"' || byte == b'\\' {
                self.push(&[b'\\', byte]);
            } else if printable || (byte >= 0x80 && valid_utf8_at(path, i)) {
                self.push(&[byte]);
            } else {
                self.push(&[
                    b'\\',
                    b'x',
                    HEX[(byte >> 4) as usize],
                    HEX[(byte & 15) as usize],
                ]);
            }
            i += 1;
        }
        if cut {
            self.push("…".as_bytes());
        }
        self.push(b"\"");
    }

    /// `mountns: "PATH"` then `rest`: a message about a path found while expanding.
    pub const fn about(path: &[u8], rest: &str) -> Message {
        let mut message = Message::new();
        message.push(b"mountns: ");
        message.quoted(path);
        message.push(rest.as_bytes());
        message
    }

    /// The text, for `panic!("{}", ..)`.
    pub const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "mountns: a source breaks the rules of a path",
        }
    }
}

/// Whether the byte at `i` of `path` belongs to a whole UTF-8 sequence.
const fn valid_utf8_at(path: &[u8], i: usize) -> bool {
    // The sequence starts at most 3 bytes before `i`.
    let mut start = i.saturating_sub(3);
    while start <= i {
        let mut end = i + 1;
        while end <= path.len() && end <= start + 4 {
            let (head, _) = path.split_at(end);
            let (_, piece) = head.split_at(start);
            if core::str::from_utf8(piece).is_ok() {
                return true;
            }
            end += 1;
        }
        start += 1;
    }
    false
}

/// Sorts `hashes[..len]` (heapsort: no allocation, n log n steps).
const fn sort(hashes: &mut [u64; MAX], len: usize) {
    let mut start = len / 2;
    while start > 0 {
        start -= 1;
        sift(hashes, start, len);
    }
    let mut end = len;
    while end > 1 {
        end -= 1;
        let top = hashes[0];
        hashes[0] = hashes[end];
        hashes[end] = top;
        sift(hashes, 0, end);
    }
}

const fn sift(hashes: &mut [u64; MAX], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && hashes[child] < hashes[child + 1] {
            child += 1;
        }
        if hashes[root] >= hashes[child] {
            return;
        }
        let top = hashes[root];
        hashes[root] = hashes[child];
        hashes[child] = top;
        root = child;
    }
}

/// Whether the sorted `hashes` hold `hash`.
const fn has(hashes: &[u64], hash: u64) -> bool {
    let (mut low, mut high) = (0, hashes.len());
    while low < high {
        let middle = low + (high - low) / 2;
        if hashes[middle] < hash {
            low = middle + 1;
        } else if hashes[middle] > hash {
            high = middle;
        } else {
            return true;
        }
    }
    false
}

/// FNV-1a.
const fn hash(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

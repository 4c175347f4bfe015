//! The layers of a union as overlayfs takes them: how many, and which it refuses. The
//! macro checks literal layers with these, the `mountns` facade the layers it expands
//! from constants and packages, and the runtime sizes its arrays of layers by
//! [`MAX`].

/// How many lower layers overlayfs stacks (`OVL_MAX_STACK`).
pub const OVERLAYFS_MAX: usize = 500;

/// How many layers a union's sources may have: entering lays the skeleton below them,
/// one of overlayfs's.
pub const MAX: usize = OVERLAYFS_MAX - 1;

/// Whether overlayfs refuses `layer` (normalized) whatever else its union holds:
/// `/proc`, `/sys` and what lies under them (a pseudo filesystem stacks no further),
/// and `/dev` (its submounts, which a user namespace locks, cannot be cloned).
///
/// ```
/// use mountns_paths::layers::refused;
/// assert!(refused(b"/proc/self"));
/// assert!(refused(b"/dev"));
/// assert!(!refused(b"/dev/shm"));
/// assert!(!refused(b"/usr"));
/// ```
#[must_use]
pub const fn refused(layer: &[u8]) -> bool {
    crate::under(layer, b"/proc") || crate::under(layer, b"/sys") || crate::equal(layer, b"/dev")
}

/// Whether one of the layers `a` and `b` (normalized) lies under the other, which
/// overlayfs refuses in one union ("overlapping lowerdir", ELOOP). It refuses one
/// directory twice as well, which a union's layers never are: each path is one layer.
///
/// ```
/// use mountns_paths::layers::overlap;
/// assert!(overlap(b"/usr", b"/usr/lib"));
/// assert!(overlap(b"/usr/lib", b"/usr"));
/// assert!(!overlap(b"/usr", b"/usr2"));
/// assert!(!overlap(b"/usr", b"/usr"));
/// ```
#[must_use]
pub const fn overlap(a: &[u8], b: &[u8]) -> bool {
    !crate::equal(a, b) && (crate::under(a, b) || crate::under(b, a))
}

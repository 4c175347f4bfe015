//! What the process that runs the program gives up before it does, once the new root is
//! in place: the caller's session (`new_session;`), its ids (root switching to the
//! table's, or to `namespace_as`'s), every capability the table does not keep, the
//! session keyring it inherited, its life beyond its parent's, the resources beyond
//! the table's limits, and the means to gain privileges back or reach past the table
//! (`no_new_privs`, Landlock, then the seccomp filter). The order matters: the
//! filter may refuse the very calls that drop the rest, and ids are switched while
//! `CAP_SETUID` is still held, with the securebits already locked so that nothing comes
//! back at `execve`. Pid 1 of a pid namespace gives up the same, keeping no capability
//! at all ([`give_up_everything`]); the caller's stand-in outside drops what it holds
//! ([`give_up_outside`]).

use rustix::fd::OwnedFd;
use rustix::io::{self, Errno};
use rustix::process::{self, DumpableBehavior, Gid, Pid, Signal, Uid};
use rustix::thread::{self, CapabilitiesSecureBits, CapabilitySet, CapabilitySets};

use crate::enter::ids::Owner;
use crate::enter::{landlock, limits};
use crate::error::{Context, Error, Reason, Step};
use crate::sys;
use crate::table::{Caps, Identity, Namespace};

/// The securebits every confined process ends with, each locked: uid 0 gains nothing
/// at `execve` (`NO_ROOT`), switching ids changes no capability set
/// (`NO_SETUID_FIXUP`: what is dropped is dropped explicitly), and no capability can be
/// made ambient again (`NO_CAP_AMBIENT_RAISE`).
const SECURE_BITS: CapabilitiesSecureBits = CapabilitiesSecureBits::NO_ROOT
    .union(CapabilitiesSecureBits::NO_ROOT_LOCKED)
    .union(CapabilitiesSecureBits::NO_SETUID_FIXUP)
    .union(CapabilitiesSecureBits::NO_SETUID_FIXUP_LOCKED)
    .union(CapabilitiesSecureBits::NO_CAP_AMBIENT_RAISE)
    .union(CapabilitiesSecureBits::NO_CAP_AMBIENT_RAISE_LOCKED);

/// What the dropping itself needs until its end: the bounding set and the securebits
/// (`CAP_SETPCAP`), and switching ids (`CAP_SETUID`, `CAP_SETGID`).
const WORKING: CapabilitySet = CapabilitySet::SETPCAP
    .union(CapabilitySet::SETUID)
    .union(CapabilitySet::SETGID);

/// Who the program is: the ids chosen (by the table or `namespace_as`), and whether
/// this process switches to them (root, in a mount namespace only) or a user namespace
/// already maps the caller to them.
#[derive(Clone, Copy)]
pub(crate) struct Program<'a> {
    pub(crate) identity: Identity<'a>,
    pub(crate) switch_ids: bool,
    /// What the bounding set may still hold: every capability, or only what the
    /// table keeps once pid 1 emptied its own of the rest ([`bound`]) before
    /// forking this process.
    pub(crate) bounding: CapabilitySet,
}

impl<'a> Program<'a> {
    /// The program's process of `identity`: root in a mount namespace switches to the
    /// chosen ids before executing; a user namespace maps the caller to them already.
    pub(crate) fn new(identity: Identity<'a>, user_namespace: bool) -> Program<'a> {
        Program {
            identity,
            switch_ids: !user_namespace && identity.is_chosen(),
            bounding: EVERY,
        }
    }

    /// The same, forked after [`bound`] left `bounding` in the bounding set.
    pub(crate) fn bounded(self, bounding: Option<CapabilitySet>) -> Program<'a> {
        Program {
            bounding: bounding.unwrap_or(EVERY),
            ..self
        }
    }

    /// Who owns what the table makes for the program: its user and group when this
    /// process switches to them (root running it as another user); else whoever enters
    /// already is the program's user (`None`).
    pub(crate) fn owner(&self) -> Option<Owner> {
        self.switch_ids.then(|| Owner {
            uid: self.identity.uid.map(Uid::from_raw_unchecked),
            gid: self.identity.gid.map(Gid::from_raw_unchecked),
        })
    }

    /// Switches to the chosen ids if this process must: supplementary groups (those
    /// chosen, or none), gid, then uid, all three of real, effective and saved. For the
    /// calling thread only, allocation-free.
    fn switch(&self) -> Result<(), Error> {
        if !self.switch_ids {
            return Ok(());
        }
        let fail = Context::NONE.begin(Step::Ids)?;
        let Identity { uid, gid, groups } = self.identity;
        // To setresuid and setresgid, -1 means "leave as is": the program would keep
        // root's ids. (setgroups refuses it by itself.)
        if uid == Some(u32::MAX) || gid == Some(u32::MAX) {
            return Err(fail(Errno::INVAL));
        }
        sys::set_groups(groups.unwrap_or(&[])).map_err(fail)?;
        if let Some(gid) = gid {
            let gid = Gid::from_raw_unchecked(gid);
            thread::set_thread_res_gid(gid, gid, gid).map_err(fail)?;
        }
        if let Some(uid) = uid {
            let uid = Uid::from_raw_unchecked(uid);
            thread::set_thread_res_uid(uid, uid, uid).map_err(fail)?;
        }
        Ok(())
    }
}

impl Namespace {
    /// The last steps of entering, in the process that runs the program (for
    /// `Namespace::enter`, the caller itself): the session, the ids, the capabilities,
    /// the keyring, the parent-death signal (`parent`: the process to die with, on the
    /// routes that execute a program), the resource limits, `no_new_privs`, Landlock
    /// and the seccomp filter.
    pub(super) fn confine(
        &'static self,
        program: Program,
        parent: Option<Parent>,
    ) -> Result<(), Error> {
        if self.new_session() {
            Context::NONE.step(Step::Session, || process::setsid().map(drop))?;
        }
        drop_capabilities(self.caps(), program.bounding, || program.switch())?;
        // After the switch: the new keyring belongs to the program's uid.
        Context::NONE.step(Step::Keyring, sys::join_new_session_keyring)?;
        // After the switch too: the kernel clears the parent-death signal whenever the
        // credentials change.
        if let Some(parent) = parent {
            parent.die_with()?;
        }
        limits::set(self.limits())?;
        Context::NONE.step(Step::NoNewPrivs, || thread::set_no_new_privs(true))?;
        // Landlock wants `no_new_privs` (or CAP_SYS_ADMIN, gone by now).
        if let Some(rules) = self.landlock() {
            landlock::restrict(self, rules)?;
        }
        Context::NONE.step(Step::Seccomp, || sys::install_seccomp(self.seccomp()))
    }
}

/// Pid 1 of a pid namespace, once the program runs: it takes the program's ids (so it
/// can still signal it), keeps no capability, and stops being dumpable, so that the
/// program, as the same user, can neither trace it nor read its memory, a copy of the
/// caller's.
pub(super) fn give_up_everything(program: Program) -> Result<(), Error> {
    hide_memory()?;
    drop_capabilities(Caps::NONE, program.bounding, || program.switch())
}

/// Pid 1, before it forks the program: empties its bounding set of the capabilities
/// the table does not keep, one at a time (each costs the kernel new credentials),
/// which the program then finds done, and pid 1 too once the program runs: that is
/// what the program waits for ([`Parent::Init`]). The bounding set matters only at
/// `execve`, which pid 1 never makes (or, with `as_pid_1;`, makes as the program), so
/// pid 1 holds every capability it needs until then. What the bounding set holds then:
/// not when the table keeps a capability pid 1 does not hold (the program reports it).
pub(super) fn bound(keep: Caps) -> Result<Option<CapabilitySet>, Error> {
    let fail = Context::NONE.begin(Step::Capabilities)?;
    let held = thread::capabilities(None).map_err(fail)?.permitted;
    let kept = kept(keep, held);
    if !held.contains(kept) {
        return Ok(None);
    }
    remove_from_bounding(droppable(kept)).map_err(fail)?;
    Ok(Some(kept))
}

/// Every capability, the kernel's and any past its last.
const EVERY: CapabilitySet = CapabilitySet::from_bits_retain(u64::MAX);

/// Every capability but `kept`, in order (past the kernel's last one too: removing
/// that from the bounding set fails EINVAL).
fn droppable(kept: CapabilitySet) -> impl Iterator<Item = CapabilitySet> {
    (0..u64::BITS)
        .map(|number| CapabilitySet::from_bits_retain(1 << number))
        .filter(move |capability| !kept.contains(*capability))
}

/// What is kept of `held` when the table keeps `keep`.
fn kept(keep: Caps, held: CapabilitySet) -> CapabilitySet {
    if keep.is_all() {
        held
    } else {
        CapabilitySet::from_bits_retain(keep.bits())
    }
}

/// Removes every capability of `bounding` but `kept` from the bounding set.
fn bound_to(bounding: CapabilitySet, kept: CapabilitySet) -> Result<(), Errno> {
    let capabilities = droppable(kept).filter(|capability| bounding.contains(*capability));
    remove_from_bounding(capabilities)
}

/// Removes `capabilities` (in order) from the bounding set.
fn remove_from_bounding(capabilities: impl Iterator<Item = CapabilitySet>) -> Result<(), Errno> {
    for capability in capabilities {
        match thread::remove_capability_from_bounding_set(capability) {
            Ok(()) => {}
            // Past the kernel's last capability.
            Err(Errno::INVAL) => break,
            Err(errno) => return Err(errno),
        }
    }
    Ok(())
}

/// The caller's stand-in, outside every namespace of the table, once the program runs:
/// it takes the program's ids if root switches to them, and drops whatever it holds
/// but its bounding set, which only matters at an `execve` the stand-in never makes
/// (emptying it costs the kernel new credentials for each capability, on the processor
/// the program may be running on). It stops being dumpable too: a program of the same
/// uid that can name it (without a pid namespace, or through the host's /proc) can then
/// neither trace it nor read its memory nor follow its `/proc/PID/root`, which, as
/// root, would reach the host's mounts.
pub(super) fn give_up_outside(program: Program) -> Result<(), Error> {
    let held = thread::capabilities(None)
        .map_err(|errno| Error::new(Step::Capabilities, errno))?
        .permitted;
    if held.contains(CapabilitySet::SETPCAP) {
        // Root: the securebits locked too, as the program's process and pid 1 do.
        hide_memory()?;
        return drop_capabilities(Caps::NONE, CapabilitySet::empty(), || program.switch());
    }
    hide_memory()?;
    program.switch()?;
    if held.is_empty() {
        return Ok(());
    }
    let none = CapabilitySet::empty();
    let sets = CapabilitySets {
        effective: none,
        permitted: none,
        inheritable: none,
    };
    Context::NONE.step(Step::Capabilities, || thread::set_capabilities(None, sets))
}

/// Stops being dumpable: no process of the same uid may then trace this one, read its
/// memory or follow its `/proc/PID` links, without `CAP_SYS_PTRACE`.
fn hide_memory() -> Result<(), Error> {
    Context::NONE.step(Step::Capabilities, || {
        process::set_dumpable_behavior(DumpableBehavior::NotDumpable)
    })
}

/// Drops every capability but `keep` from every set, for good, and calls `switch` in
/// the middle, while the ids may still be switched: the sets are cut down to `keep`
/// and what dropping needs, `keep` made ambient (a program that does not run as root,
/// or as root under `NO_ROOT`, keeps only its ambient capabilities at `execve`), the
/// bounding set emptied of the rest (of `bounding`, what it may still hold), the
/// securebits locked, then the ids switched, then the last working capabilities
/// dropped.
fn drop_capabilities(
    keep: Caps,
    bounding: CapabilitySet,
    switch: impl FnOnce() -> Result<(), Error>,
) -> Result<(), Error> {
    let fail = Context::NONE.begin(Step::Capabilities)?;
    let held = thread::capabilities(None).map_err(fail)?.permitted;
    let kept = kept(keep, held);
    if !held.contains(kept) {
        let missing = kept.difference(held).bits().trailing_zeros();
        return Err(fail(Errno::PERM).because(Reason::NotHeld(missing)));
    }
    let working = kept.union(held.intersection(WORKING));
    let sets = |permitted: CapabilitySet| CapabilitySets {
        effective: permitted,
        permitted,
        inheritable: kept,
    };
    thread::set_capabilities(None, sets(working)).map_err(fail)?;
    thread::clear_ambient_capability_set().map_err(fail)?;
    for number in 0..u64::BITS {
        let capability = CapabilitySet::from_bits_retain(1 << number);
        if kept.contains(capability) {
            thread::configure_capability_in_ambient_set(capability, true).map_err(fail)?;
        }
    }
    bound_to(bounding, kept).map_err(fail)?;
    let bits = thread::capabilities_secure_bits().map_err(fail)?;
    thread::set_capabilities_secure_bits(bits.union(SECURE_BITS)).map_err(fail)?;
    switch()?;
    thread::set_capabilities(None, sets(kept)).map_err(fail)
}

/// The process a confined process dies with.
#[derive(Clone, Copy)]
pub(super) enum Parent<'a> {
    /// Its parent, by pid.
    Pid(Pid),
    /// Pid 1 of its pid namespace, its parent, by pid, and the read end of a pipe whose
    /// write end pid 1 closes once it has given up its privileges: the program waits
    /// for that before it runs.
    Init(Pid, &'a OwnedFd),
    /// Its parent outside its pid namespace, where `getppid` says 0: the caller, which
    /// alone holds the write end of this pipe, so that a read ends (EOF) only once the
    /// caller is gone (pid 1 of a pid namespace).
    Outside(&'a OwnedFd),
}

impl Parent<'_> {
    /// `PR_SET_PDEATHSIG(SIGKILL)`, then checks that the parent is still there.
    pub(super) fn die_with(self) -> Result<(), Error> {
        match self {
            Parent::Pid(pid) => die_with_parent(pid),
            Parent::Init(pid, gate) => {
                die_with_parent(pid)?;
                // Pid 1 writes nothing: the end comes when it has given up everything,
                // or when it died, which the death signal set above answers.
                wait_for_eof(gate);
                Ok(())
            }
            Parent::Outside(life) => Context::NONE.step(Step::DeathSignal, || {
                process::set_parent_process_death_signal(Some(Signal::KILL))?;
                match io::read(life, &mut [0u8; 1]) {
                    Err(Errno::AGAIN) => Ok(()),
                    _ => Err(Errno::SRCH),
                }
            }),
        }
    }
}

/// Reads `fd` until its end: every copy of the write end is closed.
pub(super) fn wait_for_eof(fd: &OwnedFd) {
    let mut byte = [0u8; 1];
    while let Ok(1..) | Err(Errno::INTR) = io::read(fd, &mut byte) {}
}

/// `PR_SET_PDEATHSIG(SIGKILL)`, then checks that `parent` is still the parent: if it
/// died before the signal was set, nobody would kill us when it does.
pub(super) fn die_with_parent(parent: Pid) -> Result<(), Error> {
    Context::NONE.step(Step::DeathSignal, || {
        process::set_parent_process_death_signal(Some(Signal::KILL))?;
        if process::getppid() == Some(parent) {
            Ok(())
        } else {
            Err(Errno::SRCH)
        }
    })
}

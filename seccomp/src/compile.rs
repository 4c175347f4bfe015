//! A [`Policy`] to a classic BPF program for one target.
//!
//! The program's shape, in order:
//! 1. `seccomp_data.arch` against each entry point of the target (`x86_64` first);
//!    any other architecture is killed (`SECCOMP_RET_KILL_PROCESS`), so that no other
//!    numbering of the calls slips by.
//! 2. Per entry point, a binary search on the call number over the ranges of numbers
//!    that share a verdict: `jge` nodes, so a call costs about log2(ranges) jumps, and
//!    an allow list of hundreds of calls stays short. `x86_64` and x32 share one
//!    search, on the number without x32's bit: the two numberings agree wherever both
//!    have a call, and where only one has, the other's kernel answers `ENOSYS` to the
//!    number whatever the program says (an `x86_64` number 512 and up, an x32 number
//!    of a call only `x86_64` has), so one search serves both. When they disagree (a
//!    policy that told them apart), or the search would be no shorter, x32's numbers
//!    keep their bit and ranges of their own.
//! 3. The leaves: a return (allow, or an errno), or one of a few blocks that read an
//!    argument's low 32 bits: `ioctl`'s request (the terminal rule), the family of
//!    `socket` and `socketpair`, the flags of `clone` and `unshare` (`no_userns`), and
//!    i386's multiplexers `socketcall` and `ipc`.
//!
//! The program is emitted backwards, from its returns up to its first load, so that a
//! jump's target is always placed when the jump is: a conditional jump reaches at most
//! 255 instructions ahead, so a farther target gets a copy of its return placed close
//! by, or an unconditional `ja` (32-bit offset) that leads there.

use std::collections::HashMap;

use crate::bpf::{self, ABS, ALU, AND, Insn, JA, JEQ, JGE, JMP, JSET, K, LD, RET, W};
use crate::{
    Arch, CLONE_NEWUSER, EAFNOSUPPORT, ENOSYS, EPERM, IPC, Policy, SOCKETCALL, TERMINAL_REQUESTS,
    Verdict, X32_SYSCALL_BIT,
};

/// A machine the runtime builds for: one program covers each entry point a process
/// on it can call the kernel through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// `x86_64`, with i386 (`int 0x80`, 32-bit processes) and x32.
    X86_64,
    /// `aarch64`, with 32-bit arm.
    Aarch64,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::X86_64, Target::Aarch64];

    /// The entry points, grouped by what `seccomp_data.arch` says of them.
    pub fn entries(self) -> &'static [&'static [Arch]] {
        match self {
            Target::X86_64 => &[&[Arch::X86_64, Arch::X32], &[Arch::I386]],
            Target::Aarch64 => &[&[Arch::Aarch64], &[Arch::Arm]],
        }
    }
}

/// What a call number leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Action {
    Return(Verdict),
    /// `ioctl`: the terminal rule on its request.
    Ioctl,
    /// `socket`, `socketpair`: the family, under `sockets [..]`.
    Socket,
    /// `clone`, `unshare`: `CLONE_NEWUSER` in the flags, under `no_userns`.
    NewUser,
    /// i386's `socketcall` and `ipc`: the sub-call.
    Socketcall,
    Ipc,
}

/// The program enforcing `policy` on `target`: checked as the kernel checks it, so an
/// error (over 4096 instructions) comes at compile time.
pub fn compile(policy: &Policy, target: Target) -> Result<Vec<Insn>, String> {
    let mut emitter = Emitter::default();
    let mut blocks = HashMap::new();
    let mut searches = Vec::new();
    // Backwards: the last entry point's search first.
    for entries in target.entries().iter().rev() {
        // Masked only where that shortens the search: else the `and` is one more step.
        let plain = ranges(policy, entries);
        let masked = masked_ranges(policy, entries).filter(|masked| masked.len() < plain.len());
        let unmark = masked.is_some();
        let ranges = masked.unwrap_or(plain);
        let search = emitter.search(policy, &ranges, &mut blocks);
        emitter.goto(search);
        if unmark {
            emitter.push(Insn::stmt(ALU | AND | K, !X32_SYSCALL_BIT));
        }
        let start = emitter.push(Insn::load(bpf::NR));
        searches.push((entries[0].audit(), start));
    }
    let mut next = emitter.ret(Verdict::Kill);
    for (audit, start) in searches {
        next = emitter.jump(JMP | JEQ | K, audit, start, next);
    }
    emitter.push(Insn::load(bpf::ARCH));
    let program = emitter.finish();
    bpf::check(&program).map_err(|error| {
        format!("the syscall policy makes a program the kernel would refuse ({error}); shorten it")
    })?;
    Ok(program)
}

/// The action for each number the `entries` know, and for every other number, as
/// ranges: `(first number, action)`, sorted, the first starting at 0, each running to
/// the next.
fn ranges(policy: &Policy, entries: &[Arch]) -> Vec<(u32, Action)> {
    to_ranges(policy, calls(policy, entries, false))
}

/// The ranges of `x86_64` and x32 searched together, on the number without x32's bit
/// (the program clears it first), if the two numberings never give one number two
/// actions; `None` for other entry points.
fn masked_ranges(policy: &Policy, entries: &[Arch]) -> Option<Vec<(u32, Action)>> {
    if entries != [Arch::X86_64, Arch::X32] {
        return None;
    }
    let mut calls = calls(policy, entries, true);
    let agree = calls
        .windows(2)
        .all(|pair| pair[0].0 != pair[1].0 || pair[0].1 == pair[1].1);
    calls.dedup_by_key(|&mut (nr, _)| nr);
    agree.then(|| to_ranges(policy, calls))
}

/// The action of each number the `entries` know, sorted by number; without x32's bit
/// if `unmark` (a number both know is then there twice).
fn calls(policy: &Policy, entries: &[Arch], unmark: bool) -> Vec<(u32, Action)> {
    let mut calls: Vec<(u32, Action)> = entries
        .iter()
        .flat_map(|&arch| {
            let mut numbers: Vec<u32> = arch.table().iter().map(|&(_, nr)| nr).collect();
            numbers.dedup();
            numbers.into_iter().map(move |nr| {
                let action = action(policy, arch, &arch.names(nr));
                (if unmark { nr & !X32_SYSCALL_BIT } else { nr }, action)
            })
        })
        .collect();
    calls.sort_by_key(|&(nr, _)| nr);
    calls
}

/// `calls` (sorted) as ranges, every number they do not name given the policy's
/// verdict for an unknown call.
fn to_ranges(policy: &Policy, calls: Vec<(u32, Action)>) -> Vec<(u32, Action)> {
    let unknown = Action::Return(if policy.allow.is_some() {
        Verdict::Errno(ENOSYS)
    } else {
        Verdict::Allow
    });
    let mut ranges = vec![(0, unknown)];
    let push = |ranges: &mut Vec<(u32, Action)>, start: u32, action: Action| match ranges.last_mut()
    {
        Some(last) if last.0 == start => last.1 = action,
        Some(last) if last.1 == action => {}
        _ => ranges.push((start, action)),
    };
    for (nr, action) in calls {
        push(&mut ranges, nr, action);
        if let Some(after) = nr.checked_add(1) {
            push(&mut ranges, after, unknown);
        }
    }
    // Setting a range's action may have made it equal to the one before.
    ranges.dedup_by(|later, earlier| later.1 == earlier.1);
    ranges
}

/// What the call known by `names` (one number) on `arch` leads to.
fn action(policy: &Policy, arch: Arch, names: &[&str]) -> Action {
    let name = names[0];
    if policy.refuses_call(names) {
        return Action::Return(Verdict::Errno(if name == "clone3" {
            ENOSYS
        } else {
            policy.refusal()
        }));
    }
    let multiplexed = |table: &[(u32, &[&str])], action| {
        if sub_calls(policy, table).is_empty() {
            Action::Return(Verdict::Allow)
        } else {
            action
        }
    };
    match name {
        "clone3" if policy.no_userns => Action::Return(Verdict::Errno(ENOSYS)),
        "clone" | "unshare" if policy.no_userns => Action::NewUser,
        "socket" | "socketpair" if policy.sockets.is_some() => Action::Socket,
        "ioctl" => Action::Ioctl,
        "socketcall" if arch == Arch::I386 => multiplexed(SOCKETCALL, Action::Socketcall),
        "ipc" if arch == Arch::I386 => multiplexed(IPC, Action::Ipc),
        _ => Action::Return(Verdict::Allow),
    }
}

/// The sub-calls of a multiplexer that are not allowed, with their verdicts.
fn sub_calls(policy: &Policy, table: &[(u32, &[&str])]) -> Vec<(u32, Verdict)> {
    table
        .iter()
        .filter_map(|&(call, names)| {
            let verdict = names.iter().find_map(|name| {
                if policy.refuses(name) {
                    Some(Verdict::Errno(policy.refusal()))
                } else if matches!(*name, "socket" | "socketpair") && policy.sockets.is_some() {
                    // The family lies behind a pointer.
                    Some(Verdict::Errno(EAFNOSUPPORT))
                } else {
                    None
                }
            })?;
            Some((call, verdict))
        })
        .collect()
}

/// The program, built backwards: `rev[0]` is its last instruction. A label is an
/// index in `rev`.
#[derive(Default)]
struct Emitter {
    rev: Vec<Insn>,
    /// The nearest return of each value emitted so far.
    returns: HashMap<u32, usize>,
}

impl Emitter {
    /// The label the next instruction gets.
    fn here(&self) -> usize {
        self.rev.len()
    }

    fn push(&mut self, insn: Insn) -> usize {
        self.rev.push(insn);
        self.rev.len() - 1
    }

    /// A return of `verdict`, reusing the nearest one.
    fn ret(&mut self, verdict: Verdict) -> usize {
        let k = verdict.ret();
        if let Some(&label) = self.returns.get(&k) {
            return label;
        }
        let label = self.push(Insn::ret(k));
        self.returns.insert(k, label);
        label
    }

    /// How far the next instruction jumps to reach `target`.
    fn distance(&self, target: usize) -> usize {
        self.here() - target - 1
    }

    /// A label within a conditional jump's reach of the next instruction that does
    /// what `target` does: `target`, a copy of its return, or a `ja` to it.
    fn near(&mut self, target: usize) -> usize {
        if u8::try_from(self.distance(target)).is_ok() {
            return target;
        }
        let insn = self.rev[target];
        if insn.code == RET | K {
            let label = self.push(insn);
            self.returns.insert(insn.k, label);
            label
        } else {
            let offset = u32::try_from(self.distance(target)).unwrap_or(u32::MAX);
            self.push(Insn::stmt(JMP | JA, offset))
        }
    }

    /// Makes the next instruction fall through to `target`: a `ja` unless it is the
    /// last one emitted.
    fn goto(&mut self, target: usize) {
        if self.distance(target) > 0 {
            let offset = u32::try_from(self.distance(target)).unwrap_or(u32::MAX);
            self.push(Insn::stmt(JMP | JA, offset));
        }
    }

    /// `if A <op> k goto then else goto or_else`.
    fn jump(&mut self, code: u16, k: u32, then: usize, or_else: usize) -> usize {
        let (mut then, mut or_else) = (then, or_else);
        let reach = usize::from(u8::MAX);
        while self.distance(then) > reach || self.distance(or_else) > reach {
            if self.distance(then) > reach {
                then = self.near(then);
            } else {
                or_else = self.near(or_else);
            }
        }
        let (jt, jf) = (self.distance(then), self.distance(or_else));
        self.push(Insn::jump(
            code,
            k,
            u8::try_from(jt).unwrap_or(0),
            u8::try_from(jf).unwrap_or(0),
        ))
    }

    /// The binary search over `ranges` (the number in A): its first instruction.
    fn search(
        &mut self,
        policy: &Policy,
        ranges: &[(u32, Action)],
        blocks: &mut HashMap<Action, usize>,
    ) -> usize {
        if let [(_, action)] = ranges {
            return self.action(policy, *action, blocks);
        }
        let middle = ranges.len() / 2;
        let upper = self.search(policy, &ranges[middle..], blocks);
        let lower = self.search(policy, &ranges[..middle], blocks);
        self.jump(JMP | JGE | K, ranges[middle].0, upper, lower)
    }

    /// Where `action` starts: a return, or its block (emitted once).
    fn action(
        &mut self,
        policy: &Policy,
        action: Action,
        blocks: &mut HashMap<Action, usize>,
    ) -> usize {
        if let Action::Return(verdict) = action {
            return self.ret(verdict);
        }
        if let Some(&label) = blocks.get(&action) {
            return label;
        }
        let allow = self.ret(Verdict::Allow);
        let label = match action {
            Action::Ioctl => {
                let refuse = self.ret(Verdict::Errno(EPERM));
                let mut next = allow;
                for (_, request) in TERMINAL_REQUESTS.iter().rev() {
                    next = self.jump(JMP | JEQ | K, *request, refuse, next);
                }
                self.push(Insn::load(bpf::arg_low(1)))
            }
            Action::Socket => {
                let mut next = self.ret(Verdict::Errno(EAFNOSUPPORT));
                let families = policy.sockets.iter().flatten().rev();
                let any = policy.sockets.as_ref().is_some_and(|set| !set.is_empty());
                for family in families {
                    let allow = self.ret(Verdict::Allow);
                    next = self.jump(JMP | JEQ | K, *family, allow, next);
                }
                if any {
                    self.push(Insn::load(bpf::arg_low(0)))
                } else {
                    next
                }
            }
            Action::NewUser => {
                let refuse = self.ret(Verdict::Errno(policy.refusal()));
                self.jump(JMP | JSET | K, CLONE_NEWUSER, refuse, allow);
                self.push(Insn::load(bpf::arg_low(0)))
            }
            Action::Socketcall | Action::Ipc => {
                let table = if action == Action::Ipc {
                    IPC
                } else {
                    SOCKETCALL
                };
                let mut next = allow;
                for (call, verdict) in sub_calls(policy, table).into_iter().rev() {
                    let target = self.ret(verdict);
                    next = self.jump(JMP | JEQ | K, call, target, next);
                }
                self.goto(next);
                if action == Action::Ipc {
                    self.push(Insn::stmt(ALU | AND | K, 0xffff));
                }
                self.push(Insn::stmt(LD | W | ABS, bpf::arg_low(0)))
            }
            Action::Return(_) => unreachable!(),
        };
        blocks.insert(action, label);
        label
    }

    /// The program in its order.
    fn finish(mut self) -> Vec<Insn> {
        self.rev.reverse();
        self.rev
    }
}

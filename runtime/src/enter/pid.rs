//! Entering a table with a pid namespace: three processes, as DESIGN.md explains.
//!
//! `unshare(CLONE_NEWPID)` moves only the caller's children into the new namespace, and
//! a fresh procfs must be mounted from inside it. So the caller (**C**) forks pid 1 of
//! the namespace (**I**) into the table's namespaces, staying outside them itself; I
//! enters the rest of the table and forks the process that returns from entering and
//! executes the program (**G**, pid 2). C stands in for the program outside: it passes
//! the usual signals on and ends as the program ended. I passes them on to G, reaps
//! orphans, and reports G's end to C on a shared page, then ends after C: the caller
//! has the status before the kernel unmounts the namespace. Each dies with its parent.
//! Allocation-free: this runs between fork and exec.
//!
//! A table with a new session but no pid namespace takes the same way: `setsid`
//! refuses a process group leader, as a launcher started by an interactive shell is,
//! and G never is one. I is then an ordinary process that waits for G.
//!
//! With `as_pid_1;` there is no G: I itself returns from entering and executes the
//! program, which is then pid 1, and C waits for it directly.

use core::mem;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::fd::{AsFd as _, OwnedFd};
use rustix::io::Errno;
use rustix::pipe::{PipeFlags, pipe_with};
use rustix::process::{self, Pid, Resource, Rlimit, Signal, WaitOptions};

use crate::enter::confine::{Parent, die_with_parent, wait_for_eof};
use crate::error::{Context, Error, Step};
use crate::outcome::{Outcome, OutcomePage};
use crate::policy::TIMED_OUT;
use crate::sys::process::{self as raw, Disposition, Instant, SignalSet};

/// The signals C and I pass on to the program.
const FORWARDED: [i32; 6] = [
    Signal::TERM.as_raw(),
    Signal::INT.as_raw(),
    Signal::HUP.as_raw(),
    Signal::QUIT.as_raw(),
    Signal::USR1.as_raw(),
    Signal::USR2.as_raw(),
];

const CHILD: i32 = Signal::CHILD.as_raw();

/// What the kernel sends C when I reports the program's end (`raw::signal_on_input`).
const REPORTED: i32 = Signal::IO.as_raw();

/// What C and I block and wait for: the forwarded signals, a child's end, and I's
/// report.
const WAITED: SignalSet = SignalSet::of(&FORWARDED).union(SignalSet::of(&[CHILD, REPORTED]));

/// What the table asks of the processes.
#[derive(Clone, Copy)]
pub(super) struct Setup {
    /// The program is pid 1 itself (`as_pid_1;`).
    pub(super) as_pid_1: bool,
    /// The time limit in seconds (`timeout N;`), from the program's fork.
    pub(super) timeout: Option<u32>,
    /// C ends only once I has (and with it every process of the namespace, and its
    /// mounts), not as soon as I reports the program's end: a union writes to host
    /// directories, which the next run may mount again, or the program keeps
    /// capabilities, with which it may start processes that pid 1, holding none,
    /// cannot kill (another uid).
    pub(super) wait_for_init: bool,
}

/// Runs `fork`, which forks pid 1 into the new namespaces (`None` there, its pid in
/// the caller), then `in_init` in pid 1, then `in_program` in its child, with the
/// process it must die with (pid 1); returns `Ok` only there, in the process that must
/// execute the program next. With `as_pid_1`, `in_program` runs in pid 1 itself, which
/// dies with the caller, and returns `Ok` there. In the caller, returns the error of
/// either, or never (it exits as the program does). Once the program runs, pid 1
/// (unless it is the program) calls `init_gives_up` and the caller `caller_gives_up`:
/// what they keep of their privileges (nothing). With a `timeout` in seconds, pid 1
/// kills every process of the namespace that long after forking the program. The
/// caller dies with `parent`.
pub(super) fn enter(
    parent: Pid,
    setup: Setup,
    fork: impl FnOnce() -> Result<Option<i32>, Error>,
    in_init: impl FnOnce() -> Result<(), Error>,
    in_program: impl FnOnce(Parent) -> Result<(), Error>,
    init_gives_up: impl FnOnce() -> Result<(), Error>,
    caller_gives_up: impl FnOnce() -> Result<(), Error>,
) -> Result<(), Error> {
    let caller = Caller::prepare(parent)?;
    let prepared = Context::NONE.step(Step::Fork, || {
        let page = OutcomePage::new()?;
        // Its write end is open until the program executes or everything ends.
        let exec = pipe_with(PipeFlags::CLOEXEC)?;
        // C holds the only write end, so that I can tell whether C is still there.
        let life = pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?;
        // I writes to it once the program's end is on the page.
        let report = pipe_with(PipeFlags::CLOEXEC)?;
        Ok((page, exec, life, report))
    });
    let (page, (exec_read, exec_write), (life_read, life_write), (report_read, report_write)) =
        match prepared {
            Ok(prepared) => prepared,
            Err(error) => return Err(caller.restore(error)),
        };
    match fork() {
        Err(error) => Err(caller.restore(error)),
        Ok(Some(init)) => {
            drop((exec_write, life_read, report_write));
            let waited = Waited {
                init,
                page: &page,
                report: &report_read,
                early: !setup.wait_for_init,
            };
            caller.supervise(&waited, &exec_read, life_write, caller_gives_up)
        }
        Ok(None) => {
            drop((exec_read, life_write, report_read));
            let init = Init {
                page,
                exec: exec_write,
                report: report_write,
                timeout: setup.timeout,
                early: !setup.wait_for_init,
            };
            if setup.as_pid_1 {
                init.run_program(&caller, &life_read, in_init, in_program);
                Ok(())
            } else {
                init.run(&caller, &life_read, in_init, in_program, init_gives_up)
            }
        }
    }
}

/// C's signal state before entering, which the program gets back.
struct Caller {
    mask: SignalSet,
    child_signal: Disposition,
    /// The process C dies with.
    parent: Pid,
}

impl Caller {
    /// Blocks the signals C waits for (so that none is lost or ends C before the
    /// program runs), makes sure a child's end can be waited for (`SIGCHLD` ignored
    /// would reap it), and dies with `parent`.
    fn prepare(parent: Pid) -> Result<Caller, Error> {
        let mask = Context::NONE.step(Step::Fork, || WAITED.block())?;
        let child_signal = match Context::NONE.step(Step::Fork, || Disposition::set_default(CHILD))
        {
            Ok(disposition) => disposition,
            Err(error) => {
                let _ = mask.set_mask();
                return Err(error);
            }
        };
        let caller = Caller {
            mask,
            child_signal,
            parent,
        };
        match die_with_parent(parent) {
            Ok(()) => Ok(caller),
            Err(error) => Err(caller.restore(error)),
        }
    }

    /// Puts the signal state back, as the program should find it.
    fn give_back(&self) -> Result<(), Errno> {
        self.child_signal.restore()?;
        self.mask.set_mask()
    }

    /// Puts the signal state back after a failure: returns `error`.
    fn restore(&self, error: Error) -> Error {
        let _ = self.give_back();
        let _ = process::set_parent_process_death_signal(None);
        error
    }

    /// C, once I is forked: waits until the program executes. If entering failed,
    /// returns the error; else stands in for the program until it ends, and ends as it
    /// did.
    fn supervise(
        self,
        waited: &Waited,
        exec: &OwnedFd,
        life: OwnedFd,
        give_up: impl FnOnce() -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (init, page) = (waited.init, waited.page);
        wait_for_eof(exec);
        if let Outcome::Failed(error) = page.read() {
            let _ = process::waitpid(Pid::from_raw(init), WaitOptions::empty());
            drop(life);
            return Err(self.restore(error));
        }
        // The program runs: C needs no privilege to wait for it and pass signals on. If
        // it cannot give them up, nothing of the sandbox may go on. Only now is C told
        // of I's report (`SIGIO`, blocked, taken by the wait below): no signal comes
        // of a failure, which C returns with its signal mask given back.
        let told = if waited.early {
            Context::NONE.step(Step::Fork, || raw::signal_on_input(waited.report.as_fd()))
        } else {
            Ok(())
        };
        // Switching ids (root running the program as another user) clears the
        // parent-death signal: set again, with the parent checked again.
        let confined = told
            .and_then(|()| give_up())
            .and_then(|()| die_with_parent(self.parent));
        if let Err(error) = confined {
            error.report();
            let _ = raw::kill(init, Signal::KILL.as_raw());
            let _ = process::waitpid(Pid::from_raw(init), WaitOptions::empty());
            raw::exit(127);
        }
        // The program runs. Keep no descriptor but the read end of I's report: std's
        // spawn reads its pipe until every copy of the write end is closed, and a
        // reader of the program's output waits for the end of every copy of stdout.
        mem::forget(life);
        raw::close_every_fd_but(waited.report.as_fd());
        let ended = waited.wait_passing_signals();
        end_as(match page.read() {
            Outcome::Ended(status) => status,
            // The time limit: a status of its own, not the program's SIGKILL.
            Outcome::TimedOut => exit_status(TIMED_OUT),
            // I ended without the program's status (killed): end as I did.
            Outcome::Nothing | Outcome::Failed(_) => ended,
        })
    }
}

/// What C waits for once the program runs.
struct Waited<'a> {
    /// I's pid.
    init: i32,
    page: &'a OutcomePage,
    /// The read end of the pipe I writes to once the program's end is on the page.
    report: &'a OwnedFd,
    /// Whether C may end as soon as the page says the program ended, while I still
    /// ends (and with it the namespace, unmounted): bubblewrap's monitor does the same.
    early: bool,
}

impl Waited<'_> {
    /// Waits for I to end, or with `early` for the page to say the program ended,
    /// passing the forwarded signals on to I: I's raw wait status, if it ended.
    fn wait_passing_signals(&self) -> i32 {
        // I may have reported before C was to be told.
        if self.early && self.page.read().is_end() {
            return NOT_RUN;
        }
        let ended = pass_signals_until(self.init, None, || {
            match process::waitpid(Pid::from_raw(self.init), WaitOptions::NOHANG) {
                Ok(Some((_, status))) => Some(status.as_raw()),
                Ok(None) if self.early && self.page.read().is_end() => Some(NOT_RUN),
                Ok(None) => None,
                // Not our child any more: nothing to wait for.
                Err(_) => Some(NOT_RUN),
            }
        });
        ended.unwrap_or(NOT_RUN)
    }
}

/// Takes the [`WAITED`] signals until `on_child`, called at each `SIGCHLD` and
/// `SIGIO`, returns a raw wait status; passes on to `to` the forwarded signals that a
/// process sent. A signal the kernel sent (a terminal's ^C, to the whole foreground
/// process group) reached the program already. `None` if `deadline` passed first
/// (`on_child` asked once more then, for a program that ended just in time).
fn pass_signals_until(
    to: i32,
    deadline: Option<Instant>,
    mut on_child: impl FnMut() -> Option<i32>,
) -> Option<i32> {
    loop {
        let received = match deadline {
            None => WAITED.wait(),
            Some(deadline) => match WAITED.wait_until(deadline) {
                Some(received) => received,
                None => return on_child(),
            },
        };
        if received.signal == CHILD || received.signal == REPORTED {
            if let Some(status) = on_child() {
                return Some(status);
            }
        } else if received.sent_by_a_process() {
            let _ = raw::kill(to, received.signal);
        }
    }
}

/// The raw wait status of `exit(code)`.
const fn exit_status(code: i32) -> i32 {
    (code & 0xff) << 8
}

/// The wait status of `exit(127)`, as a shell reports a program it could not run.
const NOT_RUN: i32 = exit_status(127);

/// Ends this process as the raw wait `status` says the program ended: with its exit
/// code, or killed by its signal (without dumping a core of this process, a copy of
/// the parent's memory), else with 128 + the signal, as a shell reports it.
fn end_as(status: i32) -> ! {
    let signal = status & 0x7f;
    if signal == 0 {
        raw::exit(u8::try_from((status >> 8) & 0xff).unwrap_or(1));
    }
    let core = process::getrlimit(Resource::Core);
    let _ = process::setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: core.maximum,
        },
    );
    // SIGKILL's action is always the default, and may not be set (EINVAL).
    if signal == Signal::KILL.as_raw() || Disposition::set_default(signal).is_ok() {
        let _ = raw::kill(process::getpid().as_raw_nonzero().get(), signal);
        let _ = SignalSet::of(&[signal]).unblock();
    }
    raw::exit(u8::try_from(128 + signal).unwrap_or(u8::MAX))
}

/// Forks the program's process from I: as pid 2 of a pid namespace, which the helper
/// of `enter/netns.rs` may have taken first (the pid is free again once I waited for
/// it, but the kernel hands pids out in turn); else as any pid.
fn fork_program(init: Pid) -> Result<Option<i32>, Errno> {
    if init.as_raw_nonzero().get() == 1 {
        match raw::fork_as(2) {
            Err(Errno::EXIST | Errno::PERM | Errno::NOSYS | Errno::INVAL) => {}
            forked => return forked,
        }
    }
    raw::fork()
}

/// I: pid 1 of the new namespace, until it forks the program.
struct Init {
    page: OutcomePage,
    /// The write end of C's exec pipe, which the program holds until it executes.
    exec: OwnedFd,
    /// The write end of the pipe that tells C the program's end is on the page.
    report: OwnedFd,
    /// Whether C ends as soon as it is told (see [`Waited::early`]).
    early: bool,
    /// The time limit in seconds, from the program's fork.
    timeout: Option<u32>,
}

impl Init {
    fn run(
        self,
        caller: &Caller,
        life: &OwnedFd,
        in_init: impl FnOnce() -> Result<(), Error>,
        in_program: impl FnOnce(Parent) -> Result<(), Error>,
        give_up: impl FnOnce() -> Result<(), Error>,
    ) -> Result<(), Error> {
        if let Err(error) = Parent::Outside(life).die_with() {
            self.fail(error);
        }
        if let Err(error) = in_init() {
            self.fail(error);
        }
        // As the program will see it: 1 in a pid namespace.
        let init = process::getpid();
        // Its write end is open until I holds nothing: the program waits for its end,
        // so that it never sees a privileged pid 1.
        let (gate_read, gate_write) =
            match Context::NONE.step(Step::Fork, || pipe_with(PipeFlags::CLOEXEC)) {
                Ok(gate) => gate,
                Err(error) => self.fail(error),
            };
        match Context::NONE.step(Step::Fork, || fork_program(init)) {
            Err(error) => self.fail(error),
            Ok(Some(program)) => {
                drop(gate_read);
                let deadline = self.timeout.map(|seconds| Instant::now().after(seconds));
                // Before closing the exec pipe: C learns of a failure before it takes
                // the program for running.
                // Switching ids clears the parent-death signal: set again, with C
                // checked again (C holds the read end of "report" until it ends).
                if let Err(error) = give_up().and_then(|()| self.die_with_caller()) {
                    let _ = raw::kill(program, Signal::KILL.as_raw());
                    self.fail(error);
                }
                // Closes the gate too: the program goes on.
                raw::close_every_fd_but(self.report.as_fd());
                self.reap(init, program, deadline)
            }
            Ok(None) => {
                drop(gate_write);
                // The signal state first: the program's confinement may refuse the calls.
                if let Err(errno) = caller.give_back() {
                    self.fail(Error::new(Step::Fork, errno));
                }
                if let Err(error) = in_program(Parent::Init(init, &gate_read)) {
                    self.fail(error);
                }
                // Closed when the program executes (O_CLOEXEC) or exits: then C stops
                // waiting for it.
                mem::forget(self.exec);
                Ok(())
            }
        }
    }

    /// I as the program (`as_pid_1;`): enters, then confines itself as the program's
    /// process does, dying with C, and returns to execute the program as pid 1.
    /// No init of ours reaps orphans or passes signals on: the program is the init.
    fn run_program(
        self,
        caller: &Caller,
        life: &OwnedFd,
        in_init: impl FnOnce() -> Result<(), Error>,
        in_program: impl FnOnce(Parent) -> Result<(), Error>,
    ) {
        if let Err(error) = Parent::Outside(life).die_with() {
            self.fail(error);
        }
        if let Err(error) = in_init() {
            self.fail(error);
        }
        if let Err(errno) = caller.give_back() {
            self.fail(Error::new(Step::Fork, errno));
        }
        if let Err(error) = in_program(Parent::Outside(life)) {
            self.fail(error);
        }
        // Closed when the program executes (O_CLOEXEC) or exits.
        mem::forget(self.exec);
    }

    /// `PR_SET_PDEATHSIG(SIGKILL)` again, once I's ids changed, then checks that C is
    /// still there: the read end of "report" is open (no `POLLERR` on its write end).
    fn die_with_caller(&self) -> Result<(), Error> {
        Context::NONE.step(Step::DeathSignal, || {
            process::set_parent_process_death_signal(Some(Signal::KILL))?;
            let now = rustix::event::Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            if self.caller_ended(Some(&now))? {
                Err(Errno::SRCH)
            } else {
                Ok(())
            }
        })
    }

    /// Whether C has ended, waiting for it up to `wait` (`None`: until it has): C
    /// holds the read end of "report" until its end, and a pipe's write end polls
    /// `POLLERR` once no read end is left.
    fn caller_ended(&self, wait: Option<&rustix::event::Timespec>) -> Result<bool, Errno> {
        let mut report = [PollFd::new(&self.report, PollFlags::empty())];
        loop {
            match poll(&mut report, wait) {
                Err(Errno::INTR) => {}
                ready => return ready.map(|ready| ready > 0),
            }
        }
    }

    /// Tells C why entering failed, and exits.
    fn fail(&self, error: Error) -> ! {
        self.page.fail(error);
        raw::exit(1)
    }

    /// Init's loop: passes signals on to the program, reaps every child (orphans come
    /// to pid 1), and when the program ends, kills whatever is left in the namespace,
    /// writes the program's status for C, tells C, and exits. At the `deadline`, the
    /// same, the page saying that the time limit ended the program. Outside a pid
    /// namespace (a new session only), I is no init and kills nothing.
    fn reap(&self, init: Pid, program: i32, deadline: Option<Instant>) -> ! {
        let ended = pass_signals_until(program, deadline, || {
            // Any child, whatever its process group (`waitpid(None)` is only ours).
            while let Ok(Some((pid, status))) = process::wait(WaitOptions::NOHANG) {
                if pid.as_raw_nonzero().get() == program {
                    return Some(status.as_raw());
                }
            }
            None
        });
        if init.as_raw_nonzero().get() == 1 {
            // Every process of the namespace but pid 1, before C is told; pid 1's end
            // takes along whatever one of them forked meanwhile.
            let _ = raw::kill(-1, Signal::KILL.as_raw());
            if self.early {
                // And gone, not only killed: what they held (a lock, a running file,
                // a busy mount of the host's) is free once the caller goes on. Every
                // process of the namespace is pid 1's descendant, and comes to it
                // when its parent dies. (Without `early`, C waits for pid 1's end,
                // which waits for them all.)
                let all = WaitOptions::from_bits_retain(linux_raw_sys::general::__WALL);
                while let Ok(_) | Err(Errno::INTR) = process::wait(all) {}
            }
        }
        match ended {
            Some(status) => self.page.end(status),
            None => self.page.time_out(),
        }
        // C may end now, before I's end unmounts the namespace.
        let _ = rustix::io::write(&self.report, &[0]);
        // The program's process may have written why it failed instead: C then waits
        // for I's end.
        if self.early && self.page.read().is_end() {
            // Until C has ended: on the same processor, I's end would run first, and
            // the caller would wait for the unmounting all the same. Not woken when C
            // closes its end of "report" (early in its exit: running then, I would
            // delay the rest of it, and the caller's wait), but killed with it, by the
            // parent-death signal sent once C's parent is told; a second at most.
            let second = rustix::thread::Timespec {
                tv_sec: 1,
                tv_nsec: 0,
            };
            let _ = rustix::thread::nanosleep(&second);
        }
        raw::exit(0)
    }
}

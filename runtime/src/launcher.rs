//! The `main` of a `#![no_std]`, `#![no_main]` launcher (feature `launcher`, through
//! `mountns::launcher!`): enters the binary's namespace, then executes its arguments in
//! place of itself, like `Namespace::exec` without std.

use core::ffi::CStr;

use rustix::io::Errno;

use crate::error::{Context, Entry, Error, Reason, Step};
use crate::params::NoValues;
use crate::stack::StackBuf;
use crate::sys::process;
use crate::sys::start::{Args, Environment, Envp};
use crate::table::{Namespace, Source};

/// Where a program named without a `/` is looked for when `PATH` is unset.
const DEFAULT_PATH: &CStr = c"/usr/local/bin:/usr/bin:/bin";

/// `LAUNCHER PROGRAM [ARGS...]`: enters `ns` and executes `PROGRAM`. Errors go to stderr
/// as `mountns: ...`, with exit status 127 (2 without a program). The `main` of a
/// launcher, which `mountns::launcher!` writes: `args` are the ones the program start
/// read.
pub fn run(ns: &'static Namespace, args: Args) -> ! {
    let Some(program) = args.get(1) else {
        let name = args.get(0).unwrap_or(c"launcher");
        crate::error::display::eprintln(format_args!(
            "usage: {} PROGRAM [ARGS...]",
            crate::error::display::Lossy(name.to_bytes())
        ));
        process::exit(2)
    };
    // Set-id, the launcher would hand its privileges to the program (bubblewrap drops
    // to the caller's ids; a launcher has no business being set-id at all).
    let set_id = args.secure()
        || rustix::process::getuid() != rustix::process::geteuid()
        || rustix::process::getgid() != rustix::process::getegid();
    let entered = if set_id {
        Err(Error::new(Step::SetId, Errno::PERM).because(Reason::SetId))
    } else {
        ns.enter_with(&NoValues, None, ns.chdir())
    };
    let error = match entered {
        Ok(()) => exec(program, args, ns),
        Err(error) => error,
    };
    error.report();
    process::exit(127)
}

/// Executes `program` with `args[1..]` and the environment `ns` sets, looking it up
/// like `execvp` in the `PATH` of that environment (inside the new root) when its name
/// has no `/`. Returns only on failure.
fn exec(program: &'static CStr, args: Args, ns: &'static Namespace) -> Error {
    let fail = Context::program(program).begin(Step::Exec);
    let fail = match fail {
        Ok(fail) => fail,
        Err(error) => return error,
    };
    if ns.clears_env() || !ns.env().is_empty() {
        return exec_in(program, args, ns, fail);
    }
    search(program, args, Envp::Inherited, fail)
}

/// [`exec`] with the environment the table sets: built on this function's stack, which
/// a table that sets none never uses (never inlined).
#[inline(never)]
fn exec_in(
    program: &'static CStr,
    args: Args,
    ns: &'static Namespace,
    fail: impl Fn(Errno) -> Error,
) -> Error {
    let mut environment = Environment::new();
    if let Err(errno) = build(&mut environment, &args, ns.clears_env(), ns.env()) {
        return fail(errno);
    }
    search(program, args, Envp::Built(&environment), fail)
}

/// Executes `program` with `envp`, searching the `PATH` of `envp` for it if it has no `/`.
fn search(
    program: &'static CStr,
    args: Args,
    envp: Envp<'_>,
    fail: impl Fn(Errno) -> Error,
) -> Error {
    if program.to_bytes().contains(&b'/') {
        return fail(args.execve(program, 1, envp));
    }
    let path = match envp {
        Envp::Inherited => var(args.inherited(), b"PATH"),
        Envp::Built(environment) => var(environment.vars(), b"PATH"),
    };
    let search = path.unwrap_or(DEFAULT_PATH);
    // As execvp: the first error other than "not there" stops the search; a denied
    // one is remembered and reported if nothing else is found.
    let mut denied = false;
    for dir in search.to_bytes().split(|&byte| byte == b':') {
        let mut path = StackBuf::<4096>::new();
        let dir = if dir.is_empty() { &b"."[..] } else { dir };
        if path
            .push(dir)
            .and_then(|()| path.push(b"/"))
            .and_then(|()| path.push(program.to_bytes()))
            .is_err()
        {
            continue;
        }
        match args.execve(path.as_cstr(), 1, envp) {
            Errno::NOENT | Errno::NOTDIR | Errno::STALE | Errno::NODEV | Errno::TIMEDOUT => {}
            Errno::ACCESS => denied = true,
            errno => return fail(errno),
        }
    }
    fail(if denied { Errno::ACCESS } else { Errno::NOENT })
}

/// Builds the environment of the program into `environment` (empty): the inherited
/// variables (none if `clear`, the table's `env clear;`) whose names `vars`
/// (`env "NAME" "value";`, as `NAME=value`) does not set, then `vars`. `E2BIG` past
/// 4096 variables.
fn build(
    environment: &mut Environment,
    args: &Args,
    clear: bool,
    vars: &'static [&'static CStr],
) -> Result<(), Errno> {
    let set = |var: &CStr| {
        let name = name_of(var.to_bytes());
        vars.iter().any(|table| name_of(table.to_bytes()) == name)
    };
    let inherited = args.inherited().filter(|var| !clear && !set(var));
    for var in inherited.chain(vars.iter().copied()) {
        environment.push(var)?;
    }
    Ok(())
}

/// The value of the variable `name` among `vars`, if set.
fn var(mut vars: impl Iterator<Item = &'static CStr>, name: &[u8]) -> Option<&'static CStr> {
    vars.find_map(|var| {
        let value = var
            .to_bytes_with_nul()
            .strip_prefix(name)?
            .strip_prefix(b"=")?;
        CStr::from_bytes_with_nul(value).ok()
    })
}

/// The name of a `NAME=value` variable (all of it without a `=`).
fn name_of(var: &[u8]) -> &[u8] {
    var.split(|&byte| byte == b'=').next().unwrap_or_default()
}

/// Ends the process after a panic, which entering is written never to cause.
pub fn panicked() -> ! {
    crate::error::display::eprintln(format_args!("mountns: the launcher panicked"));
    process::exit(127)
}

impl Context {
    /// The program a launcher executes.
    const fn program(program: &'static CStr) -> Context {
        Context {
            entry: Some(Entry::Program),
            target: None,
            source: Some(Source::Host(program)),
        }
    }
}

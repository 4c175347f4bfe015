//! What a `#![no_std]`, `#![no_main]` launcher gets from libc elsewhere (feature
//! `launcher`): the entry point the kernel jumps to, the memory functions the compiler
//! calls and `execve` (`exit_group` is in `process`). Nothing else is linked, so
//! nothing else provides them. The binary's `mountns_launcher_main` (written by
//! `mountns::launcher!`) takes over from here, with `launcher.rs`, the safe rest.

use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::MaybeUninit;

use linux_raw_sys::general::__NR_execve;
use rustix::io::Errno;

use super::raw_syscall;

unsafe extern "Rust" {
    /// The launcher's `main`: `mountns::launcher!` defines it in the binary (entering
    /// the binary's namespace with the launcher of this crate), and a binary without it
    /// does not link.
    safe fn mountns_launcher_main(args: Args) -> !;
}

/// The auxiliary vector's key for "set-id or file capabilities" (`<linux/auxvec.h>`).
const AT_SECURE: usize = 23;

/// The process's arguments and environment, as the kernel put them on the initial stack:
/// they live, unchanged, as long as the process.
#[derive(Clone, Copy)]
pub struct Args {
    argc: usize,
    /// `argc` pointers, then a null.
    argv: *const *const c_char,
    /// Pointers up to a null.
    envp: *const *const c_char,
}

impl Args {
    /// The `index`th argument.
    pub(crate) fn get(&self, index: usize) -> Option<&'static CStr> {
        if index >= self.argc {
            return None;
        }
        // SAFETY: `index < argc`, so the pointer is one of argv's, to a NUL-terminated
        // string on the initial stack, which nothing writes to and which outlives us.
        Some(unsafe { CStr::from_ptr(*self.argv.add(index)) })
    }

    /// The inherited environment's variables, `NAME=value`, in order.
    pub(crate) fn inherited(&self) -> impl Iterator<Item = &'static CStr> {
        let mut entry = self.envp;
        core::iter::from_fn(move || {
            // SAFETY: envp's pointers up to and including the null that ends them; the
            // iterator stops at the null and never reads past it.
            let pointer = unsafe { *entry };
            if pointer.is_null() {
                return None;
            }
            // SAFETY: not past the null, which we have not reached.
            entry = unsafe { entry.add(1) };
            // SAFETY: a NUL-terminated string of the initial stack, as for argv.
            Some(unsafe { CStr::from_ptr(pointer) })
        })
    }

    /// Whether the kernel started this process set-id or with file capabilities:
    /// `AT_SECURE` in the auxiliary vector, which follows the environment's null.
    pub(crate) fn secure(&self) -> bool {
        let mut entry = self.envp;
        // SAFETY: envp's pointers up to and including the null that ends them; the
        // auxiliary vector follows, pairs of words up to `AT_NULL` (0), all on the
        // initial stack the kernel laid out.
        unsafe {
            while !(*entry).is_null() {
                entry = entry.add(1);
            }
            let mut pair = entry.add(1).cast::<usize>();
            loop {
                match *pair {
                    0 => return false,
                    AT_SECURE => return *pair.add(1) != 0,
                    _ => pair = pair.add(2),
                }
            }
        }
    }

    /// `execve(path, argv[from..], envp)`: returns only on failure.
    pub(crate) fn execve(&self, path: &CStr, from: usize, envp: Envp<'_>) -> Errno {
        if from >= self.argc {
            return Errno::INVAL;
        }
        let envp = match envp {
            Envp::Inherited => self.envp,
            Envp::Built(environment) => environment.pointers.as_ptr().cast::<*const c_char>(),
        };
        // SAFETY: `path` is NUL-terminated; `argv + from` is a null-terminated array of
        // NUL-terminated strings (the kernel's own), and so is `envp` (the kernel's own,
        // or an environment's: its first `len` pointers to the initial stack or to
        // statics, written, and a null after them); the kernel only reads them.
        let argv = unsafe { self.argv.add(from) };
        let done = unsafe {
            raw_syscall(
                __NR_execve,
                [path.as_ptr() as usize, argv as usize, envp as usize, 0, 0],
            )
        };
        match done {
            Ok(_) => Errno::INVAL,
            Err(errno) => errno,
        }
    }
}

/// The environment a program is executed with: the launcher's own, as the kernel gave
/// it, or one built for the table.
#[derive(Clone, Copy)]
pub(crate) enum Envp<'a> {
    Inherited,
    Built(&'a Environment),
}

/// How many variables a launcher's program may get: the room of [`Environment`].
const ENVIRONMENT: usize = 4096;

/// The environment a launcher executes its program with, as `execve` takes it:
/// pointers on the launcher's stack (32 KiB) to `NAME=value` strings that live as long
/// as the process (of the initial stack, or static), a null after the last. Only the
/// pointers pushed and the null after them are ever written: the rest of the room is
/// never touched (a fresh page of stack costs a fault, a copied one more).
pub(crate) struct Environment {
    pointers: [MaybeUninit<*const c_char>; ENVIRONMENT + 1],
    len: usize,
}

impl Environment {
    /// No variable yet.
    // 32 KiB on the launcher's main stack (8 MiB unless the caller's limit says less),
    // where nothing else is: a launcher allocates nothing.
    #[allow(clippy::large_stack_arrays)]
    pub(crate) fn new() -> Environment {
        let mut pointers = [const { MaybeUninit::uninit() }; ENVIRONMENT + 1];
        pointers[0] = MaybeUninit::new(core::ptr::null());
        Environment { pointers, len: 0 }
    }

    /// Adds `var` after the others; `E2BIG` past 4096 variables.
    pub(crate) fn push(&mut self, var: &'static CStr) -> Result<(), Errno> {
        // The null after the last: the array has one more slot than it fills.
        if self.len >= ENVIRONMENT {
            return Err(Errno::TOOBIG);
        }
        let Some([slot, null]) = self.pointers.get_mut(self.len..=self.len + 1) else {
            return Err(Errno::TOOBIG);
        };
        *slot = MaybeUninit::new(var.as_ptr());
        *null = MaybeUninit::new(core::ptr::null());
        self.len += 1;
        Ok(())
    }

    /// The variables, in order.
    pub(crate) fn vars(&self) -> impl Iterator<Item = &'static CStr> + '_ {
        self.pointers.iter().take(self.len).map(|pointer| {
            // SAFETY: each of the first `len` pointers was written by `push`, from a
            // `&'static CStr`: a NUL-terminated string that lives as long as the process.
            unsafe { CStr::from_ptr(pointer.assume_init()) }
        })
    }
}

/// Where `_start` (in `arch`) jumps: reads the initial stack and runs the launcher's
/// `main`.
///
/// # Safety
/// `stack` must be the stack pointer the kernel started the process with: argc, argv's
/// pointers and a null, envp's pointers and a null, then the auxiliary vector.
pub(super) unsafe extern "C" fn start(stack: *const usize) -> ! {
    // SAFETY: the layout above, which the kernel guarantees at `_start`.
    let args = unsafe {
        let count = *stack;
        let argv = stack.add(1).cast::<*const c_char>();
        Args {
            argc: count,
            argv,
            envp: argv.add(count + 1),
        }
    };
    mountns_launcher_main(args)
}

// The functions the compiler calls for copies, fills and comparisons, which libc would
// provide. Byte loops through volatile accesses, which LLVM cannot turn back into calls
// to these very functions; a launcher copies a few pages at most.

/// # Safety
/// As C's `memcpy`: `n` bytes readable at `src`, writable at `dst`, not overlapping.
#[unsafe(no_mangle)]
unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's promise; a forward copy is also right when they overlap with
    // `dst` below `src`, which `memmove` relies on.
    unsafe { copy_forward(dst.cast(), src.cast(), n) };
    dst
}

/// # Safety
/// As C's `memmove`: `n` bytes readable at `src`, writable at `dst`.
#[unsafe(no_mangle)]
unsafe extern "C" fn memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    let (to, from) = (dst.cast::<u8>(), src.cast::<u8>());
    if to.cast_const() <= from {
        // SAFETY: the caller's promise; each byte is read before it is overwritten.
        unsafe { copy_forward(to, from, n) };
    } else {
        for i in (0..n).rev() {
            // SAFETY: `i < n`, within both ranges; copying from the end, each byte is
            // read before it is overwritten.
            unsafe { to.add(i).write_volatile(from.add(i).read_volatile()) };
        }
    }
    dst
}

/// # Safety
/// `n` bytes readable at `from`, writable at `to`; `to` not above `from` if they overlap.
unsafe fn copy_forward(to: *mut u8, from: *const u8, n: usize) {
    for i in 0..n {
        // SAFETY: `i < n`, within both ranges, by the caller's promise.
        unsafe { to.add(i).write_volatile(from.add(i).read_volatile()) };
    }
}

/// # Safety
/// As C's `memset`: `n` bytes writable at `dst`.
#[unsafe(no_mangle)]
unsafe extern "C" fn memset(dst: *mut c_void, byte: c_int, n: usize) -> *mut c_void {
    let to = dst.cast::<u8>();
    for i in 0..n {
        // SAFETY: `i < n`, within the range the caller gave. C's memset stores the
        // byte's low 8 bits.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        unsafe {
            to.add(i).write_volatile(byte as u8);
        }
    }
    dst
}

/// # Safety
/// As C's `memcmp`: `n` bytes readable at `a` and at `b`.
#[unsafe(no_mangle)]
unsafe extern "C" fn memcmp(left: *const c_void, right: *const c_void, n: usize) -> c_int {
    let (left, right) = (left.cast::<u8>(), right.cast::<u8>());
    for i in 0..n {
        // SAFETY: `i < n`, within both ranges the caller gave.
        let pair = unsafe { (left.add(i).read_volatile(), right.add(i).read_volatile()) };
        if pair.0 != pair.1 {
            return c_int::from(pair.0) - c_int::from(pair.1);
        }
    }
    0
}

/// # Safety
/// As `memcmp`, whose answer it gives (only its being 0 or not matters to callers).
#[unsafe(no_mangle)]
unsafe extern "C" fn bcmp(a: *const c_void, b: *const c_void, n: usize) -> c_int {
    // SAFETY: the caller's promise, the same as memcmp's.
    unsafe { memcmp(a, b, n) }
}

/// # Safety
/// As C's `strlen`: `s` points to a NUL-terminated string (`CStr::from_ptr` calls it).
#[unsafe(no_mangle)]
unsafe extern "C" fn strlen(s: *const c_char) -> usize {
    let mut n = 0;
    // SAFETY: every byte up to the NUL is readable, by the caller's promise.
    while unsafe { s.add(n).read_volatile() } != 0 {
        n += 1;
    }
    n
}

/// Without LTO, core's unwinding tables name a personality routine. Nothing unwinds in
/// a launcher (its panic handler exits), so it is never called.
// SAFETY: the one definition of this symbol: a binary with the `launcher` feature
// links no std, which would bring its own.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

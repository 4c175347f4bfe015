//! Bringing up `lo` in a new network namespace, where the kernel creates it down:
//! `SIOCGIFFLAGS`, then `SIOCSIFFLAGS` with `IFF_UP`, on a socket of that namespace.

use linux_raw_sys::general::__NR_ioctl;
use linux_raw_sys::ioctl::{SIOCGIFFLAGS, SIOCSIFFLAGS};
use rustix::fd::{AsRawFd, FromRawFd as _, OwnedFd};
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

use super::raw_syscall;

/// `struct ifreq` as these two requests use it: the name, then the flags (a `short`)
/// at the start of the union, which the kernel copies whole (24 bytes).
#[repr(C)]
struct InterfaceFlags {
    name: [u8; 16],
    flags: i16,
    rest: [u8; 22],
}

/// `IFF_UP`.
const UP: i16 = 1;

/// `SIOCGSKNS`: a new descriptor (close-on-exec) of a socket's network namespace.
const SIOCGSKNS: u32 = 0x894c;

/// Sets `IFF_UP` on `lo`, keeping its other flags.
pub(crate) fn loopback_up() -> Result<(), Errno> {
    up(&socket()?)
}

/// [`loopback_up`], then returns a descriptor of this network namespace, which
/// another process may join with `setns`.
pub(crate) fn loopback_up_namespace() -> Result<OwnedFd, Errno> {
    let socket = socket()?;
    up(&socket)?;
    // SAFETY: no pointer is passed; the request returns a new descriptor, or fails.
    let fd = unsafe {
        raw_syscall(
            __NR_ioctl,
            [socket.as_raw_fd() as usize, SIOCGSKNS as usize, 0, 0, 0],
        )
    }?;
    let fd = i32::try_from(fd).map_err(|_| Errno::BADF)?;
    // SAFETY: the kernel just opened `fd` for us, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn socket() -> Result<OwnedFd, Errno> {
    rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        None,
    )
}

fn up(socket: &OwnedFd) -> Result<(), Errno> {
    let mut request = InterfaceFlags {
        name: *b"lo\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        flags: 0,
        rest: [0; 22],
    };
    ioctl(socket, SIOCGIFFLAGS, &mut request)?;
    request.flags |= UP;
    ioctl(socket, SIOCSIFFLAGS, &mut request)
}

fn ioctl(socket: &OwnedFd, request: u32, ifreq: &mut InterfaceFlags) -> Result<(), Errno> {
    // SAFETY: `ifreq` is a live, writable `struct ifreq` (40 bytes, its size on these
    // architectures), which the interface requests read and write during the call only.
    unsafe {
        raw_syscall(
            __NR_ioctl,
            [
                socket.as_raw_fd() as usize,
                request as usize,
                &raw mut *ifreq as usize,
                0,
                0,
            ],
        )
    }
    .map(drop)
}

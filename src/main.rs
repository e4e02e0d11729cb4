//! The `bnotify` binary: everything is in the library's [`bnotify::main`].
//!
//! The C `main` is ours rather than std's: std's start-up reads `/proc/self/maps` to place
//! a guard page under the main thread's stack, a tenth of `bnotify --version`'s work, for
//! a message on stack overflow. What else std's start-up does that bnotify relies on is
//! done here: a closed standard descriptor is reopened on `/dev/null` (so that no file
//! bnotify opens can become its stdout), and SIGPIPE is ignored (so that a closed pipe
//! is an error `report` handles, not a silent death).
#![no_main]

use std::os::raw::{c_char, c_int};

#[no_mangle]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    reopen_closed_stdio();
    // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let args = args(argc, argv);
    // `exit` flushes std's buffered stdout, as returning from std's own main would.
    std::process::exit(c_int::from(bnotify::main(args)))
}

/// The command line from C's `argv` (std fills `std::env::args` from its own start-up,
/// which does not run here on every platform, e.g. musl).
fn args(argc: c_int, argv: *const *const c_char) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    let n = if argv.is_null() {
        0
    } else {
        usize::try_from(argc).unwrap_or(0)
    };
    (0..n)
        .map(|i| {
            // SAFETY: C gives `argc` valid, NUL-terminated strings in `argv`.
            let arg = unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) };
            std::ffi::OsStr::from_bytes(arg.to_bytes()).to_os_string()
        })
        .collect()
}

/// Open `/dev/null` on each of fds 0, 1 and 2 that is closed.
fn reopen_closed_stdio() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for pfd in fds {
        if pfd.revents & libc::POLLNVAL != 0 {
            let flags = if pfd.fd == 0 {
                libc::O_RDONLY
            } else {
                libc::O_RDWR
            };
            // SAFETY: a NUL-terminated path; the lowest free descriptor is the closed one.
            unsafe { libc::open(c"/dev/null".as_ptr(), flags) };
        }
    }
}

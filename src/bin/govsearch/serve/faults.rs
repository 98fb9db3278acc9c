//! Surviving an index file that shrinks under the server.
//!
//! The index's files are memory-mapped. When one is truncated while it is mapped (a careless
//! copy, a full disk, a hostile operator), reading a page past its new end raises SIGBUS,
//! whose default action ends the process without a word. The server takes SIGBUS instead:
//! the handler maps a page of zeros over the missing one, so the read goes on, and counts the
//! fault. A request during which the count moved may have read those zeros: its answer is
//! thrown away, the request is answered as damage, and the server stops using that view of
//! the index (see `Served` in the parent module).
//!
//! No crate takes SIGBUS (signal-hook refuses it, as a signal that cannot be handled in
//! general); this one narrow case, a mapped file's missing page, can. Any other SIGBUS gets
//! the default action, as before.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

static FAULTS: AtomicU64 = AtomicU64::new(0);
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);

/// How many pages of a mapped file were found missing since the server started.
pub(crate) fn count() -> u64 {
    FAULTS.load(Ordering::SeqCst)
}

/// Takes SIGBUS for the rest of the process's life.
pub(crate) fn install() -> std::io::Result<()> {
    // SAFETY: sysconf reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let page = usize::try_from(page)
        .ok()
        .filter(|page| page.is_power_of_two())
        .ok_or_else(|| std::io::Error::other("the system's page size is unknown"))?;
    PAGE_SIZE.store(page, Ordering::SeqCst);
    // SAFETY: the action is fully initialised before it is installed, and the handler only
    // makes system calls that are safe in a signal handler (mmap in practice, raise, signal)
    // and touches atomics.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_bus as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

extern "C" fn on_bus(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for a handler installed with SA_SIGINFO; for
    // SIGBUS its address is the faulting one.
    let (code, address) = unsafe { ((*info).si_code, (*info).si_addr() as usize) };
    let page = PAGE_SIZE.load(Ordering::SeqCst);
    if code == libc::BUS_ADRERR && address != 0 && page != 0 {
        let start = address & !(page - 1);
        // SAFETY: the page lies in a mapping of a file that no longer reaches it; replacing
        // it with a private page of zeros changes nothing else of the process's memory.
        let mapped = unsafe {
            libc::mmap(
                start as *mut libc::c_void,
                page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if mapped != libc::MAP_FAILED {
            FAULTS.fetch_add(1, Ordering::SeqCst);
            return;
        }
    }
    // Not a missing page of a mapped file: what SIGBUS would have done without this handler.
    // SAFETY: signal and raise are async-signal-safe.
    unsafe {
        libc::signal(libc::SIGBUS, libc::SIG_DFL);
        libc::raise(libc::SIGBUS);
    }
}

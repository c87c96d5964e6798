//! Names the test that ran out of host memory. `.ci/run` runs the suite under an address-space
//! cap, so a runaway allocation fails instead of taking the machine down; the process then
//! aborts with only the allocation's size. This allocator (the system one, unchanged) first
//! prints which test thread asked, so the failure names its test. Included by each test binary
//! with `#[path = "../support/oom_guard.rs"] mod oom_guard;` (or through `tests/common`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// The system allocator, reporting the current thread's name when an allocation fails.
pub struct NameOnOom;

#[global_allocator]
static ALLOC: NameOnOom = NameOnOom;

/// Set while a report is being written, so a report that itself fails to allocate cannot recurse.
static REPORTING: AtomicBool = AtomicBool::new(false);

#[cold]
fn report(size: usize) {
    if REPORTING.swap(true, Ordering::SeqCst) {
        return;
    }
    // A fixed buffer: nothing here allocates (test threads already hold their name).
    let mut buf = [0u8; 512];
    let mut w = &mut buf[..];
    let t = std::thread::current();
    let _ = write!(
        w,
        "\nout of host memory: allocating {size} bytes failed in test `{}`\n",
        t.name().unwrap_or("<unnamed thread>")
    );
    let n = 512 - w.len();
    let _ = std::io::stderr().write_all(&buf[..n]);
    REPORTING.store(false, Ordering::SeqCst);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract the caller upholds is exactly the one `System` needs; `report` only
// reads the failed size and writes to stderr, touching no allocation.
unsafe impl GlobalAlloc for NameOnOom {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl's comment).
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            report(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl's comment).
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            report(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see the impl's comment).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl's comment).
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            report(new_size);
        }
        p
    }
}

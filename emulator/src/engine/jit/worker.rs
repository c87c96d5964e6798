//! Compiling in the background: a thread that owns a code cache and compiles the blocks it is
//! sent, while the machine goes on running them on the threaded engine. Results come back in
//! order and are installed at the next dispatch ([`super::Jit::try_run`]); whether a block
//! runs natively a little sooner or later changes the host time only, never the guest's
//! state (every engine is exact). The thread starts at the first job and ends with the tier.

use super::code_cache::CodeCache;
use super::ctx::NativeFn;
use crate::engine::threaded::block::Block;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// A block of a job: (its index in the threaded cache, a copy of it, its virtual page, its
/// ring).
pub(super) type JobBlock = (usize, Block, u32, u8);

/// A block (or a trace: `trace.rs`) to compile.
pub(super) struct Job {
    /// The code cache generation it is for (a flush starts a new one).
    pub generation: u64,
    /// The block, or the trace's blocks in order (the first is the one the code is for).
    pub blocks: Vec<JobBlock>,
    /// Paging on.
    pub paging: bool,
    /// The worst case of a pass through a trace's blocks: (cycles, instructions).
    pub pass: (u64, u64),
}

impl Job {
    /// Its blocks as a compiler's segments.
    pub fn segments(&self) -> Vec<super::compile::Segment<'_>> {
        self.blocks
            .iter()
            .map(|(idx, block, vpage, ring)| super::compile::Segment {
                block,
                idx: *idx,
                vpage: *vpage,
                ring: *ring,
            })
            .collect()
    }
}

/// A compiled (or declined) block.
pub(super) struct Done {
    /// As in its [`Job`].
    pub generation: u64,
    /// As in its [`Job`].
    pub idx: usize,
    /// The block's `serial` (to tell it from a later block at the same index).
    pub serial: u64,
    /// As in its [`Job`].
    pub vpage: u32,
    /// The function, or `None` if declined (or refused by Cranelift).
    pub f: Option<NativeFn>,
    /// It runs a trace: the worst case of a pass through its blocks.
    pub trace: Option<(u64, u64)>,
    /// Host time spent, in nanoseconds.
    pub ns: u64,
    /// Bytes of host code in the worker's cache after it.
    pub bytes: usize,
    /// The host has no JIT (why): the thread has ended.
    pub failed: Option<String>,
}

/// What the worker is asked.
enum Msg {
    /// Compile a block.
    Compile(Box<Job>),
    /// Drop every translation (the runtime has forgotten them all).
    Flush,
}

/// The background compiler.
pub(super) struct Worker {
    /// To the thread (`None` once it is being stopped).
    tx: Option<Sender<Msg>>,
    /// From the thread.
    rx: Receiver<Done>,
    /// The thread.
    handle: Option<JoinHandle<()>>,
    /// Set when the tier goes: the jobs still queued are not compiled.
    quit: Arc<AtomicBool>,
}

impl Worker {
    /// Starts the thread with a code cache of `limit` bytes (the host's JIT was checked).
    /// `ready` is set each time a result is sent.
    pub fn start(limit: usize, ready: Arc<AtomicBool>) -> Result<Worker, String> {
        let (tx, jobs) = channel::<Msg>();
        let (done, rx) = channel::<Done>();
        let quit = Arc::new(AtomicBool::new(false));
        let quitting = quit.clone();
        let handle = std::thread::Builder::new()
            .name("ringfort-jit".into())
            .spawn(move || {
                // (Made here, so that building the code generator costs the run nothing; a code
                // cache stays on its thread.)
                let mut code = match CodeCache::new(limit) {
                    Ok(code) => code,
                    Err(why) => {
                        let _ = done.send(Done {
                            generation: 0,
                            idx: 0,
                            serial: 0,
                            vpage: 0,
                            f: None,
                            trace: None,
                            ns: 0,
                            bytes: 0,
                            failed: Some(why),
                        });
                        ready.store(true, Ordering::Release);
                        return;
                    }
                };
                for msg in jobs {
                    if quitting.load(Ordering::Relaxed) {
                        break;
                    }
                    match msg {
                        // SAFETY: the runtime sends a flush only after forgetting every
                        // function of this cache (`Jit::flush`), and calls none of them after.
                        Msg::Flush => unsafe { code.flush() },
                        Msg::Compile(job) => {
                            let start = Instant::now();
                            let made = code.compile(&job.segments(), job.paging, &[]);
                            let (idx, block, vpage, _) = &job.blocks[0];
                            let reply = Done {
                                generation: job.generation,
                                idx: *idx,
                                serial: block.serial,
                                vpage: *vpage,
                                trace: (job.blocks.len() > 1).then_some(job.pass),
                                f: made.ok().flatten(),
                                ns: start.elapsed().as_nanos() as u64,
                                bytes: code.bytes,
                                failed: None,
                            };
                            if done.send(reply).is_err() {
                                break;
                            }
                            ready.store(true, Ordering::Release);
                        }
                    }
                }
                // The cache (and its code) goes with the thread: the tier is gone.
            })
            .map_err(|e| e.to_string())?;
        Ok(Worker {
            tx: Some(tx),
            rx,
            handle: Some(handle),
            quit,
        })
    }

    /// Sends `job`.
    pub fn compile(&self, job: Job) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Compile(Box::new(job)));
        }
    }

    /// Asks for every translation to be dropped.
    pub fn flush(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Flush);
        }
    }

    /// A finished job, if one is waiting.
    pub fn poll(&self) -> Option<Done> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread after the job it is on (the jobs still queued
        // are dropped), and the thread frees the code as it ends. Not waited for: a run
        // that ends does not wait for a compile it no longer needs, and nothing calls the
        // code once the tier is gone.
        self.quit.store(true, Ordering::Relaxed);
        drop(self.tx.take());
        drop(self.handle.take());
    }
}

//! The JIT tier: hot blocks of the threaded engine compiled to host code with Cranelift.
//!
//! The threaded engine stays in charge: it finds, translates and counts blocks as ever, and
//! for a block run whole with no debugger stop points in its page it asks this tier first
//! (`Jit::try_run`). A block whose run count passes the threshold is compiled (`compile.rs`,
//! its instructions' semantics emitted by `emit.rs`; the code kept in `code_cache.rs`,
//! compiled on a thread of its own by `worker.rs`); its function runs the block, loops while
//! the next pass surely fits before the next device event, and leaves at an instruction
//! boundary with the interpreter's counters. What it does not do itself — a page fault, an
//! access outside RAM, a gate, a system instruction — leaves the block before that
//! instruction, and the threaded engine runs it; a TLB miss is refilled out of line. Translations live and die with their threaded block (invalidated with its page);
//! the code cache's limit flushes them all.

mod code_cache;
mod compile;
pub mod ctx;
mod debug;
mod emit;
mod gate_memo;
mod helpers;
mod host_tlb;
mod trace;
mod trace_code;
mod worker;

use super::threaded::block::Block;
use super::threaded::block::{NATIVE_DECLINED as NOT_COMPILED, NATIVE_PENDING as PENDING};
use super::threaded::cache::{successor, Cache};
use crate::exec::load_use_stall;
use crate::machine::Machine;
use code_cache::CodeCache;
use ctx::{exit, Ctx, NativeFn};
use std::time::Instant;
use worker::{Job, Worker};

/// When blocks are compiled, and how much code is kept.
#[derive(Clone, Copy, Debug)]
pub struct JitConfig {
    /// A block is compiled when it has been run this many times (passes of a loop count).
    pub threshold: u64,
    /// Host code kept at most, in bytes: reaching it drops every translation.
    pub code_limit: usize,
    /// Compile on a thread of its own while the threaded engine runs the block (else in
    /// line, at the dispatch that finds the block hot: tests, to know what is compiled when).
    pub background: bool,
    /// Nothing is compiled before the machine has retired this many instructions: a short
    /// run (a boot of Ringfort OS to its prompt is about 1 M) is over before compiled code
    /// could pay for the compiler's thread, so it runs as on the threaded engine.
    pub warmup: u64,
}

impl Default for JitConfig {
    fn default() -> Self {
        JitConfig {
            threshold: 64,
            code_limit: 32 << 20,
            background: true,
            warmup: 2_000_000,
        }
    }
}

impl JitConfig {
    /// The defaults, with the threshold from `RINGFORT_JIT_THRESHOLD` and the warm-up from
    /// `RINGFORT_JIT_WARMUP` if they are set to numbers, and compiling in line if
    /// `RINGFORT_JIT_BACKGROUND` is `0` (tests do all three, so that short programs are
    /// compiled and when is known).
    pub fn from_env() -> JitConfig {
        let number = |name| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let background = std::env::var("RINGFORT_JIT_BACKGROUND").map_or(true, |v| v.trim() != "0");
        let d = JitConfig::default();
        JitConfig {
            threshold: number("RINGFORT_JIT_THRESHOLD").unwrap_or(d.threshold),
            warmup: number("RINGFORT_JIT_WARMUP").unwrap_or(d.warmup),
            background,
            ..d
        }
    }
}

/// What the tier did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JitStats {
    /// Blocks compiled.
    pub translations: u64,
    /// Host time spent compiling, in nanoseconds.
    pub translate_ns: u64,
    /// Blocks found not worth compiling (too few instructions before one left to the
    /// threaded engine).
    pub declined: u64,
    /// Calls into host code that ran instructions.
    pub native_runs: u64,
    /// Instructions retired in host code.
    pub native_instructions: u64,
    /// Times the code cache was full and dropped everything.
    pub flushes: u64,
    /// Bytes of host code now in the cache.
    pub code_bytes: usize,
    /// The most bytes of host code the cache held.
    pub peak_code_bytes: usize,
    /// Variants compiled for blocks under debugger breakpoints.
    pub debug_variants: u64,
    /// Of the blocks compiled, those compiled with the blocks they lead to, through a gate
    /// and back (traces: `trace.rs`).
    pub traces: u64,
}

/// A run's debugger breakpoints and the conditions compiled code may test
/// ([`crate::Budget::breakpoints`], [`crate::Budget::break_checks`]).
pub(crate) type Breaks<'a> = (&'a [u32], &'a [(u32, crate::engine::BreakCheck)]);

/// A compiled block.
#[derive(Clone, Copy)]
struct Native {
    /// Its function.
    f: NativeFn,
    /// The virtual page it was compiled for (its pcs are constants in the code).
    vpage: u32,
    /// It runs a trace (`trace.rs`): it counts its blocks' runs itself, and it may leave in
    /// another page or ring.
    trace: bool,
    /// The worst case of a pass through a trace's blocks: (cycles, instructions).
    pass: (u64, u64),
}

impl Native {
    /// The worst case of a pass (cycles, instructions): through the block (which the
    /// dispatcher found fits before `limit` and `max_steps` on `m`), or through a trace's
    /// blocks, if that fits (else `None`: the threaded engine runs the block).
    fn pass_fits(
        &self,
        block: &Block,
        m: &Machine,
        limit: u64,
        max_steps: u64,
    ) -> Option<(u64, u64)> {
        if !self.trace {
            return Some((block.max_cost, block.max_insns()));
        }
        let room = max_steps.saturating_sub(m.steps - 1);
        let (cycles, insns) = self.pass;
        (m.cpu.cycles.saturating_add(cycles) < limit && insns <= room).then_some(self.pass)
    }
}

/// The JIT tier of a threaded engine.
pub struct Jit {
    /// Where blocks are compiled.
    compiler: Compiler,
    /// The code generation: a flush starts a new one (results of older jobs are dropped).
    generation: u64,
    /// Jobs sent to the worker and not yet back.
    in_flight: usize,
    /// Set by the worker when a result is waiting (the threaded chain looks at it, to hand a
    /// block over as soon as its code is ready).
    ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Compiled blocks; a threaded block's `BlockRun::native` is its index here + 1.
    natives: Vec<Native>,
    /// The host TLB compiled code's data accesses go through (paging on).
    host_tlb: Box<host_tlb::HostTlb>,
    /// What the gate helpers of traces remember between calls.
    gate_memo: Box<gate_memo::GateMemo>,
    /// Compiled code for blocks in pages with debugger breakpoints.
    debug: debug::DebugCode,
    /// A plain-store table of nulls, for runs with a write watch: every compiled store then
    /// takes the checked store, which looks at the watch (made when first needed).
    no_plain: Vec<usize>,
    /// Settings.
    pub config: JitConfig,
    /// Counters.
    pub stats: JitStats,
}

/// Jobs the worker may have at once (blocks found hot meanwhile ask again later).
const MAX_IN_FLIGHT: usize = 64;

/// Where blocks are compiled.
enum Compiler {
    /// Here, at the dispatch that finds a block hot.
    Here(Box<CodeCache>),
    /// On the worker's thread (started at the first block to compile).
    Worker(Option<Worker>),
}

impl Jit {
    /// A tier with nothing compiled, or why this host has no JIT.
    pub fn new(config: JitConfig) -> Result<Jit, String> {
        let compiler = if config.background {
            // (The host is checked when the first block is to be compiled: a short run never
            // builds a code generator.)
            Compiler::Worker(None)
        } else {
            Compiler::Here(Box::new(CodeCache::new(config.code_limit)?))
        };
        Ok(Jit {
            compiler,
            generation: 0,
            in_flight: 0,
            host_tlb: host_tlb::HostTlb::new(),
            gate_memo: Box::default(),
            debug: debug::DebugCode::new(config.code_limit / 4),
            no_plain: Vec::new(),
            ready: Default::default(),
            natives: Vec::new(),
            config,
            stats: JitStats::default(),
        })
    }

    /// Set when compiled code is waiting to be installed.
    pub(crate) fn ready(&self) -> &std::sync::Arc<std::sync::atomic::AtomicBool> {
        &self.ready
    }

    /// Can host code run on `m` now? Not while the debugger watches reads or writes are
    /// traced: compiled loads and plain stores do not report them. (A write watch is seen:
    /// compiled stores then all take the checked store.)
    #[inline(always)]
    pub(crate) fn usable(m: &Machine) -> bool {
        m.trace_writes.is_none() && !m.watches_reads()
    }

    /// A run's debugger breakpoints and the conditions compiled code may test (once per run:
    /// compiled variants for other ones are dropped).
    pub(crate) fn breakpoints(
        &mut self,
        list: &[u32],
        checks: &[(u32, crate::engine::BreakCheck)],
    ) {
        self.debug.update(list, checks);
    }

    /// The step count by which `m` has surely passed the warm-up (its steps now plus the
    /// instructions still to retire), or no limit once it has or when the tier is not usable.
    pub(crate) fn warm_steps(&self, m: &Machine) -> u64 {
        match self.config.warmup.checked_sub(m.cpu.retired) {
            Some(left) if left > 0 && self.config.threshold != u64::MAX && Jit::usable(m) => {
                m.steps.saturating_add(left)
            }
            _ => u64::MAX,
        }
    }

    /// Is the run past the warm-up ([`JitConfig::warmup`]), and the tier usable?
    pub(crate) fn active(&self, m: &Machine) -> bool {
        m.cpu.retired >= self.config.warmup && Jit::usable(m)
    }

    /// What the tier did, for `--stats`: a few lines.
    pub fn report(&self) -> String {
        let s = &self.stats;
        let kib = |b: usize| b.div_ceil(1024);
        format!(
            "jit: {} blocks compiled in {:.1} ms ({} declined: too few instructions before one \
             left to the threaded engine), threshold {} runs\n\
             jit: {} of them as traces (with the blocks they lead to, through a gate and \
             back)\n\
             jit: host code {} KiB now, {} KiB at most (limit {} KiB; {} flushes)\n\
             jit: {} instructions ran in host code, in {} calls\n",
            s.translations,
            s.translate_ns as f64 / 1e6,
            s.declined,
            self.config.threshold,
            s.traces,
            kib(s.code_bytes),
            kib(s.peak_code_bytes),
            kib(self.config.code_limit),
            s.flushes,
            s.native_instructions,
            s.native_runs,
        )
    }

    /// Drops every translation (a full code cache): the blocks forget their functions, then
    /// the code goes.
    fn flush(&mut self, cache: &Cache) {
        for b in &cache.blocks {
            b.run.native.set(0);
        }
        self.natives.clear();
        self.generation += 1;
        match &mut self.compiler {
            // SAFETY: no block refers to a function of the cache any more (cleared above;
            // blocks translated later start with none), and the tier calls only through them.
            Compiler::Here(code) => unsafe { code.flush() },
            // (Results of jobs sent before come back with the old generation: dropped.)
            Compiler::Worker(w) => {
                if let Some(w) = w {
                    w.flush();
                }
            }
        }
        self.stats.flushes += 1;
        self.stats.code_bytes = 0;
    }

    /// Compiles block `idx` for virtual page `vpage`: its `native` entry.
    #[cold]
    #[inline(never)]
    fn translate(&mut self, cache: &Cache, idx: usize, vpage: u32, paging: bool, ring: u8) -> u32 {
        let full = match &self.compiler {
            Compiler::Here(code) => code.is_full(),
            Compiler::Worker(_) => self.stats.code_bytes >= self.config.code_limit,
        };
        if full || self.natives.len() >= PENDING as usize - 1 {
            self.flush(cache);
        }
        let block = &cache.blocks[idx];
        // A block too short to compile alone may be worth it in a trace.
        let links = if compile::worth_alone(block, &[]) {
            None
        } else {
            trace::find(cache, idx, vpage, ring, paging)
        };
        let links = links.unwrap_or_else(|| vec![(idx, vpage, ring)]);
        let pass = links.iter().fold((0, 0), |(c, n), &(i, ..)| {
            let b = &cache.blocks[i];
            (c + b.max_cost, n + b.max_insns())
        });
        let code = match &mut self.compiler {
            Compiler::Here(code) => code,
            Compiler::Worker(w) => {
                if self.in_flight >= MAX_IN_FLIGHT {
                    return 0;
                }
                if w.is_none() {
                    let started = Worker::start(self.config.code_limit, self.ready.clone());
                    match started {
                        Ok(started) => *w = Some(started),
                        Err(why) => {
                            crate::builder::no_jit(&why);
                            self.config.threshold = u64::MAX;
                            block.run.native.set(NOT_COMPILED);
                            return NOT_COMPILED;
                        }
                    }
                }
                let Some(w) = w else {
                    return 0;
                };
                self.in_flight += 1;
                let blocks = links
                    .iter()
                    .map(|&(i, vpage, ring)| (i, cache.blocks[i].clone(), vpage, ring))
                    .collect();
                w.compile(Job {
                    generation: self.generation,
                    blocks,
                    paging,
                    pass,
                });
                block.run.native.set(PENDING);
                return PENDING;
            }
        };
        let start = Instant::now();
        let segs: Vec<_> = links
            .iter()
            .map(|&(idx, vpage, ring)| compile::Segment {
                block: &cache.blocks[idx],
                idx,
                vpage,
                ring,
            })
            .collect();
        let made = code.compile(&segs, paging, &[]);
        let bytes = code.bytes;
        let f = made.ok().flatten();
        self.stats.translate_ns += start.elapsed().as_nanos() as u64;
        let entry = self.install(f, vpage, (segs.len() > 1).then_some(pass), bytes);
        block.run.native.set(entry);
        entry
    }

    /// Records a compiled block's function (or that it was declined): its `native` entry.
    /// `trace`: the worst case of a pass if it runs a trace.
    fn install(
        &mut self,
        f: Option<NativeFn>,
        vpage: u32,
        trace: Option<(u64, u64)>,
        bytes: usize,
    ) -> u32 {
        self.stats.code_bytes = bytes;
        self.stats.peak_code_bytes = self.stats.peak_code_bytes.max(bytes);
        match f {
            Some(f) => {
                self.natives.push(Native {
                    f,
                    vpage,
                    trace: trace.is_some(),
                    pass: trace.unwrap_or_default(),
                });
                self.stats.translations += 1;
                self.stats.traces += trace.is_some() as u64;
                self.natives.len() as u32
            }
            None => {
                self.stats.declined += 1;
                NOT_COMPILED
            }
        }
    }

    /// Installs what the worker has finished: each result for a block still waiting for it.
    fn collect(&mut self, cache: &Cache) {
        let Compiler::Worker(Some(w)) = &self.compiler else {
            return;
        };
        let mut done = Vec::new();
        self.ready
            .store(false, std::sync::atomic::Ordering::Relaxed);
        while let Some(d) = w.poll() {
            done.push(d);
        }
        for d in done {
            if let Some(why) = &d.failed {
                // No code generator on this host: the threaded engine from now on.
                crate::builder::no_jit(why);
                self.config.threshold = u64::MAX;
                self.in_flight = 0;
                return;
            }
            self.in_flight -= 1;
            self.stats.translate_ns += d.ns;
            if d.generation != self.generation {
                continue;
            }
            // The code is in the worker's cache whether or not it is installed: its size
            // counts toward the limit either way.
            self.stats.code_bytes = d.bytes;
            self.stats.peak_code_bytes = self.stats.peak_code_bytes.max(d.bytes);
            let Some(block) = cache.blocks.get(d.idx) else {
                continue;
            };
            if block.serial != d.serial || block.run.native.get() != PENDING {
                continue;
            }
            let entry = self.install(d.f, d.vpage, d.trace, d.bytes);
            block.run.native.set(entry);
        }
    }

    /// The compiled function of `block` for virtual page `vpage`, compiling it if it is hot
    /// enough and not compiled yet.
    #[inline(always)]
    fn native_of(
        &mut self,
        cache: &Cache,
        idx: usize,
        vpage: u32,
        paging: bool,
        ring: u8,
    ) -> Option<Native> {
        let block = &cache.blocks[idx];
        let mut entry = block.run.native.get();
        if entry == 0 && block.run.execs.get() >= self.config.threshold {
            entry = self.translate(cache, idx, vpage, paging, ring);
        }
        let n = self.natives.get(entry.wrapping_sub(1) as usize)?;
        (n.vpage == vpage).then_some(*n)
    }

    /// The function to run block `idx` with: its compiled code, or under debugger breakpoints
    /// (`debugging`) its variant that stops at them.
    #[inline(always)]
    fn function(
        &mut self,
        cache: &Cache,
        idx: usize,
        vpage: u32,
        paging: bool,
        ring: u8,
        debugging: bool,
    ) -> Option<Native> {
        if debugging {
            let serial = cache.blocks[idx].serial;
            let debug_native = |f| Native {
                f,
                vpage,
                trace: false,
                pass: (0, 0),
            };
            return match self.debug.known(idx, serial, vpage) {
                Some(debug::Variant::Ordinary) => self.ordinary(cache, idx, vpage, paging, ring),
                Some(debug::Variant::Compiled(f)) => f.map(debug_native),
                None => self
                    .variant(cache, idx, vpage, paging, ring)
                    .map(debug_native),
            };
        }
        self.native_of(cache, idx, vpage, paging, ring)
    }

    /// Block `idx`'s ordinary code for a run under breakpoints (none in its page): not a
    /// trace, which runs blocks of other pages.
    fn ordinary(
        &mut self,
        cache: &Cache,
        idx: usize,
        vpage: u32,
        paging: bool,
        ring: u8,
    ) -> Option<Native> {
        self.native_of(cache, idx, vpage, paging, ring)
            .filter(|n| !n.trace)
    }

    /// Block `idx`'s variant under the run's breakpoints (out of line: debugging runs only).
    #[cold]
    #[inline(never)]
    fn variant(
        &mut self,
        cache: &Cache,
        idx: usize,
        vpage: u32,
        paging: bool,
        ring: u8,
    ) -> Option<NativeFn> {
        let threshold = self.config.threshold;
        let stats = &mut self.stats;
        match self
            .debug
            .variant(cache, idx, vpage, paging, ring, threshold, stats)?
        {
            debug::Variant::Ordinary => self.ordinary(cache, idx, vpage, paging, ring).map(|n| n.f),
            debug::Variant::Compiled(f) => f,
        }
    }

    /// Runs block `idx` (at `pc`, in `ring`, paging `paging`) in host code if it is compiled
    /// or hot enough to be, and then, while they can, the compiled blocks it leads to in the
    /// same page (as the threaded chain does: their first fetches hit the same code page).
    /// The dispatcher has counted the first instruction's step and fetch, and found that the
    /// block fits whole before `limit` (cycles) and `max_steps`. Under debugger breakpoints
    /// in the page (`breaks`), the blocks' variants that stop before them run, and the chain
    /// goes on only to a successor at no breakpoint or at one whose checks all fail. Returns
    /// false when nothing ran (the threaded engine runs the block).
    // (Out of line: the dispatcher's own code, and so the threaded engine's speed, stays the
    // same whatever this function becomes; one call per dispatch.)
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(crate) fn try_run(
        &mut self,
        cache: &mut Cache,
        idx: u32,
        m: &mut Machine,
        pc: u32,
        ring: u8,
        paging: bool,
        limit: u64,
        max_steps: u64,
        breaks: Option<Breaks>,
    ) -> bool {
        if !self.active(m) {
            return false;
        }
        if self.in_flight > 0 {
            self.collect(cache);
        }
        let vpage = pc & !0xfff;
        let mut idx = idx as usize;
        let Some(mut native) = self.function(cache, idx, vpage, paging, ring, breaks.is_some())
        else {
            return false;
        };
        // The steps move with the retired count while compiled code runs.
        let step_offset = m.steps - 1 - m.cpu.retired;
        let block = &cache.blocks[idx];
        let Some(pass) = native.pass_fits(block, m, limit, max_steps) else {
            return false;
        };
        let retired_in = m.cpu.retired;
        let first_stall = load_use_stall(block.first_sources, m.cpu.last_load);
        // The first fetch's walk is in `dynamic` (given back if nothing runs); refills in the
        // block use `acc_walk` for their own.
        let first_walk = std::mem::take(&mut m.acc_walk);
        if paging {
            self.host_tlb.sync(m, ring);
        }
        let host_tlb: *mut host_tlb::HostTlb = &mut *self.host_tlb;
        let (chunks, mut plain) = m.ram.raw_tables();
        if !m.watch.is_empty() {
            // A write watch: every compiled store through the checked store.
            self.no_plain
                .resize(m.ram.len().div_ceil(crate::ram::CHUNK), 0);
            plain = self.no_plain.as_ptr().cast();
        }
        let ram_words_end = (m.ram.len() as u64 & !3).min(u32::MAX as u64 & !3) as u32;
        let loop_retired = |b: &Block| max_steps.saturating_sub(step_offset + b.max_insns());
        let mp: *mut Machine = m;
        let mut ctx = Ctx {
            // SAFETY: `mp` is `m`, live; the field's address is taken without a reference.
            regs: unsafe { std::ptr::addr_of_mut!((*mp).cpu.regs) }.cast(),
            host_tlb,
            chunks,
            plain,
            ram_words_end,
            machine: mp,
            blocks: cache.blocks.as_ptr(),
            // SAFETY: as above; plain reads of `m` through the pointer it is now used by.
            cycles: unsafe { (*mp).cpu.cycles },
            retired: retired_in,
            loop_cycles: limit.saturating_sub(pass.0),
            loop_retired: max_steps.saturating_sub(step_offset + pass.1),
            dynamic: (first_stall + first_walk) as u64,
            accesses: 0,
            walks: 0,
            data_hits: 0,
            passes: 0,
            next_pc: 0,
            last_load: 0,
            gate_memo: &mut *self.gate_memo,
        };
        let mut hits = 0;
        let mut ran_any = false;
        loop {
            let (cycles_in, retired_before) = (ctx.cycles, ctx.retired);
            // SAFETY: `f` was compiled from block `idx` for this ring, paging mode and page
            // (`native_of` checked the page), and reads and writes only through `ctx`: the
            // registers of `m`, its TLB's tables (read), its RAM through the chunk tables at
            // indices checked against `ram_words_end` (aligned accesses: inside one chunk), and `m`
            // itself only in the helpers. `m` is used only through `mp` until the chain
            // ends, and none of those tables is reallocated meanwhile (the helpers allocate
            // chunks, which changes a slot's value, not the tables).
            let code = unsafe { (native.f)(&mut ctx) };
            if code == exit::NOTHING {
                break;
            }
            debug_assert_eq!(code, exit::LEFT);
            ran_any = true;
            hits += ctx.data_hits;
            ctx.data_hits = 0;
            self.stats.native_runs += 1;
            self.stats.native_instructions += ctx.retired - retired_before;
            if native.trace {
                // (It counted its blocks' runs; it may have left in another page or ring.)
                break;
            }
            let block = &cache.blocks[idx];
            block.run.count(ctx.passes, ctx.cycles - cycles_in);
            // On to a compiled successor in the same page, if it surely fits.
            let next = ctx.next_pc;
            // SAFETY: a read of `m` through `mp` (a helper may have set it).
            if next & !0xfff != vpage || unsafe { (*mp).block_exit } {
                break;
            }
            let Cache { blocks, lookup, .. } = &mut *cache;
            let Some((succ, _)) = successor(blocks, lookup, &blocks[idx], next, ring, paging)
            else {
                break;
            };
            let succ = succ as usize;
            let b = &cache.blocks[succ];
            let room = ctx.retired + step_offset + b.max_insns() <= max_steps;
            if ctx.cycles.saturating_add(b.max_cost) >= limit || !room {
                break;
            }
            // SAFETY: a read of `m` through `mp` (compiled code wrote the registers back).
            if breaks.is_some() && !self.debug.passes(next, unsafe { &(*mp).cpu.regs }) {
                break;
            }
            let Some(g) = self.function(cache, succ, vpage, paging, ring, breaks.is_some()) else {
                break;
            };
            let b = &cache.blocks[succ];
            (idx, native) = (succ, g);
            ctx.loop_cycles = limit.saturating_sub(b.max_cost);
            ctx.loop_retired = loop_retired(b);
            ctx.dynamic = load_use_stall(b.first_sources, ctx.last_load as u8) as u64;
        }
        if !ran_any {
            m.acc_walk = first_walk;
            return false;
        }
        m.acc_walk = 0;
        m.cpu.pc = ctx.next_pc;
        m.cpu.cycles = ctx.cycles;
        m.cpu.retired = ctx.retired;
        m.cpu.last_load = ctx.last_load as u8;
        m.steps = ctx.retired + step_offset;
        if paging {
            // Every instruction's fetch hit the code page but the first (the dispatcher's).
            m.tlb.hits += ctx.retired - retired_in - 1 + hits;
        }
        true
    }
}

//! What a trace's gate helpers remember of a gate between calls: the usual case's checks and
//! TLB hits ([`Machine::callg_plan`]: the descriptor read and checked, the frame's TLB hit;
//! [`Machine::retg_frame`]: the frame's TLB hit), reused while everything they were found
//! from is as it was. The effects are never remembered: the frame, sp, the ring, the counts
//! are done by [`Machine::callg_apply`] and [`Machine::retg_apply`] every time.

use crate::gates::CallPlan;
use crate::machine::Machine;
use isa_spec::cr::num;

/// The last plan of each of four gate numbers (`n` mod 4), and the last `retg` frame found.
/// The JIT keeps one.
#[derive(Debug, Default)]
pub(crate) struct GateMemo {
    calls: [CallMemo; 4],
    ret: RetMemo,
}

/// A plan and what it was found from besides what it holds itself (the descriptor's address
/// and words, the stack it goes on).
#[derive(Clone, Copy, Debug, Default)]
struct CallMemo {
    /// The gate number, the caller's ring and paging ([`key`]); 0 for none.
    key: u64,
    /// GBASE and GLIMIT.
    table: u64,
    /// The TLB's version ([`crate::tlb::Tlb`]: it changes with every change of its entries).
    tlb_version: u64,
    plan: CallPlan,
}

/// The physical address of the last `retg` frame found, and what it was found from.
#[derive(Clone, Copy, Debug, Default)]
struct RetMemo {
    /// sp, the ring and paging ([`key`]); 0 for none.
    key: u64,
    tlb_version: u64,
    pa: u32,
}

/// `n`, `ring` and `paging` in one word, never 0.
#[inline(always)]
fn key(n: u32, ring: u8, paging: bool) -> u64 {
    n as u64 | (ring as u64) << 32 | (paging as u64) << 40 | 1 << 48
}

impl GateMemo {
    /// `callg n`'s plan on `m` (paging on if `paging`): the one remembered if the gate
    /// table's base and limit, the caller's ring, the TLB, the descriptor's words in RAM and
    /// the stack it goes on are all as they were, and no watchpoint is set (then
    /// [`Machine::callg_plan`] would find the same: it reads nothing else); else found again
    /// and remembered.
    #[inline(always)]
    pub(crate) fn call_plan(&mut self, m: &Machine, n: u32, paging: bool) -> Option<CallPlan> {
        let slot = &mut self.calls[(n & 3) as usize];
        let crs = &m.cpu.crs;
        let table = (crs[num::GBASE as usize] as u64) << 32 | crs[num::GLIMIT as usize] as u64;
        let key = key(n, m.cpu.ring(), paging);
        let tlb_version = m.tlb.version();
        let k = &slot.plan;
        if slot.key == key
            && slot.table == table
            && slot.tlb_version == tlb_version
            && m.watch.is_empty()
            && m.ram.contains(k.addr, 8)
        {
            // SAFETY: `addr` was found aligned with its 8 bytes in one page, and they are in
            // RAM (tested just now).
            let words = unsafe { m.ram.load_words::<2>(k.addr as usize) };
            if words == k.words && m.cpu.entry_stack(k.target) == k.new_sp {
                return Some(*k);
            }
        }
        let plan = m.callg_plan(n, paging)?;
        *slot = CallMemo {
            key,
            table,
            tlb_version,
            plan,
        };
        Some(plan)
    }

    /// The physical address of the frame `retg` on `m` returns through, if the usual case
    /// ([`Machine::retg_frame`]): the one remembered if sp, the ring and the TLB are as they
    /// were (it reads nothing else), else found again and remembered.
    #[inline(always)]
    pub(crate) fn ret_frame(&mut self, m: &Machine, paging: bool) -> Option<u32> {
        let sp = m.cpu.regs[isa_spec::regs::SP as usize];
        let key = key(sp, m.cpu.ring(), paging);
        let tlb_version = m.tlb.version();
        let r = &mut self.ret;
        if r.key == key && r.tlb_version == tlb_version && m.ram.contains(r.pa, 12) {
            return Some(r.pa);
        }
        let pa = m.retg_frame(paging)?;
        *r = RetMemo {
            key,
            tlb_version,
            pa,
        };
        Some(pa)
    }
}

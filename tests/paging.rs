//! The MMU (SPEC.md §10): page faults, accessed/dirty bits, the TLB and its costs.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::pass_guest;
use isa_spec::cr::{num, status};

#[test]
fn page_faults_and_accessed_dirty_bits() {
    let run = pass_guest("paging.s");
    let m = &run.m;
    assert_ne!(m.cpu.status() & status::PG, 0, "finished with paging on");
    assert_eq!(m.cpu.crs[num::PTBASE as usize], 0x30_0000);
    // Every page fault delivered carried vector 5 in its cause.
    let log = m.deliveries.as_ref().unwrap();
    let pf = log.iter().filter(|d| d.vector == 5).count();
    assert_eq!(pf as u64, m.stats.deliveries[5]);
    // 6 not present, 5 permission, 5 ring, 3 in gate calls (the double fault's original page
    // fault is not a delivery of vector 5)
    assert_eq!(pf, 19, "page faults raised by paging.s");
    assert_eq!(m.stats.double_faults, 1);
}

#[test]
fn tlb_staleness_invalidation_and_walk_costs() {
    let run = pass_guest("tlb.s");
    let m = &run.m;
    // The direct-mapped TLB holds at most one translation per slot, each in the slot of its vpn.
    for (slot, e) in m.tlb.valid() {
        assert_eq!(e.vpn as usize % 64, slot, "entry in the wrong slot");
    }
    assert!(m.tlb.misses > 0 && m.tlb.hits > m.tlb.misses);
}

#[test]
fn code_fetch_follows_the_tlb_and_stores() {
    pass_guest("code_pages.s");
}

//! The `--stats` report.

use emulator::Machine;
use isa_spec::cr::vector;
use std::fmt::Write;
use std::time::Duration;

/// Formats the statistics of a finished run.
pub fn report(m: &Machine, elapsed: Duration) -> String {
    let mut s = String::new();
    let insns = m.cpu.retired;
    let cycles = m.cpu.cycles;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(s, "instructions     {insns}");
    let _ = writeln!(s, "cycles           {cycles}");
    let cpi = if insns > 0 {
        cycles as f64 / insns as f64
    } else {
        0.0
    };
    let _ = writeln!(s, "CPI              {cpi:.3}");
    let _ = writeln!(
        s,
        "host time        {:.3} s ({:.1} MIPS)",
        secs,
        insns as f64 / secs / 1e6
    );
    let _ = writeln!(
        s,
        "TLB              {} hits, {} misses",
        m.tlb.hits, m.tlb.misses
    );
    let _ = writeln!(s, "exceptions/interrupts by vector:");
    for (v, &n) in m.stats.deliveries.iter().enumerate() {
        if n > 0 {
            let _ = writeln!(s, "  {v:>2} {:<24} {n}", vector::name(v as u8));
        }
    }
    if m.stats.double_faults > 0 {
        let _ = writeln!(s, "  double faults            {}", m.stats.double_faults);
    }
    let _ = writeln!(s, "gate calls by gate:");
    for (g, n) in &m.stats.gate_calls {
        let _ = writeln!(s, "  gate {g:<5} {n}");
    }
    let _ = writeln!(s, "ring transitions (from -> to):");
    for (from, row) in m.stats.ring_transitions.iter().enumerate() {
        for (to, &n) in row.iter().enumerate() {
            if n > 0 {
                let _ = writeln!(s, "  {from} -> {to}  {n}");
            }
        }
    }
    let _ = writeln!(
        s,
        "devices: {} register accesses, timer fired {}, uart {} bytes out",
        m.dev.accesses, m.dev.timer.fires, m.dev.uart.tx_bytes
    );
    s
}

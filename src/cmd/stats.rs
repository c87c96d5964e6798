//! The `--stats` report.

use crate::cmd::exit_status::Stop;
use emulator::Machine;
use isa_spec::cr::vector;
use std::fmt::Write;
use std::time::Duration;

/// Formats the statistics of a finished run.
pub fn report(m: &Machine, elapsed: Duration, stop: &Stop) -> String {
    let mut s = String::new();
    let insns = m.cpu.retired;
    let cycles = m.cpu.cycles;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(s, "stop reason      {}", stop.reason);
    if let Some(v) = stop.value {
        let _ = writeln!(s, "exit value       {v} (exit status {})", stop.status);
    }
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
    if let Some(kib) = peak_resident_kib() {
        let _ = writeln!(
            s,
            "host memory      {:.1} MiB peak resident",
            kib as f64 / 1024.0
        );
    }
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
    for (g, n) in m.stats.gate_calls.iter() {
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
    s.push_str(&device_report(m));
    s
}

/// The statistics of a finished run as one JSON object (one line).
pub fn json(m: &Machine, elapsed: Duration, stop: &Stop) -> String {
    let d = m.dev.stats();
    let by_vector: serde_json::Map<String, serde_json::Value> = m
        .stats
        .deliveries
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(v, &n)| (v.to_string(), n.into()))
        .collect();
    let gates: serde_json::Map<String, serde_json::Value> = m
        .stats
        .gate_calls
        .iter()
        .map(|(g, n)| (g.to_string(), n.into()))
        .collect();
    serde_json::json!({
        "stop_reason": stop.reason,
        "exit_value": stop.value,
        "exit_status": stop.status,
        "instructions": m.cpu.retired,
        "cycles": m.cpu.cycles,
        "pc": m.cpu.pc,
        "ring": m.cpu.ring(),
        "host_seconds": elapsed.as_secs_f64(),
        "host_peak_resident_kib": peak_resident_kib(),
        "tlb": { "hits": m.tlb.hits, "misses": m.tlb.misses },
        "deliveries_by_vector": by_vector,
        "double_faults": m.stats.double_faults,
        "gate_calls": gates,
        "ring_transitions": m.stats.ring_transitions,
        "uart": { "bytes_out": d.uart_tx, "bytes_in": d.uart_rx },
        "disk": {
            "sectors_read": d.sectors_read,
            "sectors_written": d.sectors_written,
            "flushes": d.disk_flushes,
        },
    })
    .to_string()
}

/// This process's peak resident memory in KiB (Linux's `VmHWM`), where the host tells it.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The per-device part of the report.
pub fn device_report(m: &Machine) -> String {
    let mut s = String::new();
    let d = m.dev.stats();
    let _ = writeln!(
        s,
        "devices: {} register accesses, {} framebuffer accesses",
        m.dev.accesses, d.fb_accesses
    );
    const LINES: [&str; 6] = ["timer", "uart", "disk", "keyboard", "camera", "rtc"];
    let _ = writeln!(s, "interrupts raised by line:");
    for (line, &n) in d.irqs.iter().enumerate() {
        if n > 0 {
            let name = LINES.get(line).copied().unwrap_or("-");
            let _ = writeln!(s, "  {line:>2} {name:<10} {n}");
        }
    }
    let _ = writeln!(s, "  timer            fired {}", d.timer_fires);
    let _ = writeln!(
        s,
        "  uart             {} bytes out, {} bytes in",
        d.uart_tx, d.uart_rx
    );
    let _ = writeln!(
        s,
        "  disk             {} sectors read, {} written, {} flushes",
        d.sectors_read, d.sectors_written, d.disk_flushes
    );
    let _ = writeln!(s, "  dma              {} bytes", d.dma_bytes);
    let _ = writeln!(
        s,
        "  camera           {} frames captured",
        d.frames_captured
    );
    let _ = writeln!(s, "  keyboard         {} events", d.key_events);
    let _ = writeln!(s, "  rtc              {} alarms", d.rtc_alarms);
    s
}

//! `--trace`: one line per retired instruction (cycle, pc, ring, disassembly, registers and
//! memory written, cycles taken) and one per exception or interrupt delivered.

use crate::machine::Machine;
use isa_spec::regs::reg_name;
use std::io::Write;

/// Writes the trace of each step to a sink.
pub struct Tracer {
    out: Box<dyn Write + Send>,
}

impl Tracer {
    /// A tracer writing to `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Tracer {
        Tracer { out }
    }

    /// Runs `step` on `m` and writes what it did.
    pub fn traced_step(&mut self, m: &mut Machine, step: fn(&mut Machine)) {
        let before_regs = m.cpu.regs;
        let before_cycles = m.cpu.cycles;
        let before_retired = m.cpu.retired;
        let before_deliveries = m.stats.deliveries.iter().sum::<u64>();
        let pc = m.cpu.pc;
        let ring = m.cpu.ring();
        let text = match m.peek_virt(pc, 4).map(isa_spec::decode) {
            Some(Ok(insn)) => isa_spec::disasm(&insn, pc),
            Some(Err(_)) => "(illegal)".to_string(),
            None => "(unmapped)".to_string(),
        };
        if m.trace_writes.is_none() {
            m.trace_writes = Some(Vec::new());
        }
        step(m);
        let mut line = String::new();
        if m.cpu.retired > before_retired {
            line += &format!("{before_cycles:>10}  {pc:08x}  r{ring}  {text:<30}");
            for (r, (now, was)) in m.cpu.regs.iter().zip(before_regs).enumerate() {
                if *now != was {
                    line += &format!(" {}={now:#x}", reg_name(r as u8));
                }
            }
            for &(addr, size, value) in m.trace_writes.as_deref().unwrap_or(&[]) {
                line += &format!(" [{addr:#x}]{}={value:#x}", size * 8);
            }
            line += &format!("  (+{})", m.cpu.cycles - before_cycles);
        }
        if m.stats.deliveries.iter().sum::<u64>() > before_deliveries {
            let cause = m.cpu.crs[isa_spec::cr::num::CAUSE as usize];
            if !line.is_empty() {
                line.push('\n');
            }
            line += &format!(
                "{:>10}  -> vector {} ({}) cause {cause:#x} faddr {:#x}: ring {} -> {}, pc {:#x}, sp {:#x}",
                m.cpu.cycles,
                cause & 0xff,
                isa_spec::cr::vector::name(cause as u8),
                m.cpu.crs[isa_spec::cr::num::FADDR as usize],
                ring,
                m.cpu.ring(),
                m.cpu.pc,
                m.cpu.regs[isa_spec::regs::SP as usize],
            );
        }
        if let Some(exit) = &m.stop {
            line += &format!("\n{:>10}  stop: {exit:?}", m.cpu.cycles);
        }
        if !line.is_empty() {
            let _ = writeln!(self.out, "{line}");
        }
    }
}

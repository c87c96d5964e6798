//! The first architectural difference between two machines: how the engines are checked
//! against each other (tests, fuzzing, the property suite).

use crate::machine::Machine;
use isa_spec::cr::CR_NAMES;
use isa_spec::regs::reg_name;
use std::fmt::Write as _;

/// The first architectural difference between two machines, or `None` if they agree:
/// registers, pc, control registers, cycle count and retired count, load-use state, step
/// count, TLB (entries and hit/miss counters), interrupt controller, timer, serial output,
/// every other device, delivery log, stop reason, the last ring transition, the statistics
/// (deliveries, gate calls, ring transitions, double faults), RAM.
pub fn state_diff(a: &Machine, b: &Machine) -> Option<String> {
    if a.cpu != b.cpu {
        let mut d = String::from("CPU state differs:");
        for i in 0..32 {
            if a.cpu.regs[i] != b.cpu.regs[i] {
                let _ = write!(
                    d,
                    " {}={:#x}/{:#x}",
                    reg_name(i as u8),
                    a.cpu.regs[i],
                    b.cpu.regs[i]
                );
            }
        }
        for (i, name) in CR_NAMES.iter().enumerate() {
            if a.cpu.crs[i] != b.cpu.crs[i] {
                let _ = write!(d, " {name}={:#x}/{:#x}", a.cpu.crs[i], b.cpu.crs[i]);
            }
        }
        let _ = write!(
            d,
            " pc={:#x}/{:#x} cycles={}/{} retired={}/{} last_load={}/{}",
            a.cpu.pc,
            b.cpu.pc,
            a.cpu.cycles,
            b.cpu.cycles,
            a.cpu.retired,
            b.cpu.retired,
            a.cpu.last_load,
            b.cpu.last_load
        );
        return Some(d);
    }
    if a.stop != b.stop {
        return Some(format!("stop differs: {:?} / {:?}", a.stop, b.stop));
    }
    if a.steps != b.steps {
        return Some(format!("step count differs: {} / {}", a.steps, b.steps));
    }
    if (a.tlb.hits, a.tlb.misses) != (b.tlb.hits, b.tlb.misses) {
        return Some(format!(
            "TLB counters differ: hits {}/{} misses {}/{}",
            a.tlb.hits, b.tlb.hits, a.tlb.misses, b.tlb.misses
        ));
    }
    if a.deliveries != b.deliveries {
        return Some(format!(
            "delivery log differs:\n  interp:   {:?}\n  threaded: {:?}",
            a.deliveries, b.deliveries
        ));
    }
    if a.tlb.entries() != b.tlb.entries() {
        let slot = (0..a.tlb.entries().len())
            .find(|&i| a.tlb.entries()[i] != b.tlb.entries()[i])
            .unwrap_or(0);
        return Some(format!(
            "TLB differs at slot {slot}: {:?} / {:?}",
            a.tlb.entries()[slot],
            b.tlb.entries()[slot]
        ));
    }
    if a.dev.pic != b.dev.pic {
        return Some(format!("PIC differs: {:?} / {:?}", a.dev.pic, b.dev.pic));
    }
    if a.dev.timer != b.dev.timer {
        return Some(format!(
            "timer differs: {:?} / {:?}",
            a.dev.timer, b.dev.timer
        ));
    }
    if a.dev.uart.output() != b.dev.uart.output() {
        return Some("serial output differs".to_string());
    }
    if a.dev != b.dev {
        return Some(
            "device state differs (UART, disk, framebuffer, keyboard, RTC, camera or power)"
                .to_string(),
        );
    }
    if a.last_transition != b.last_transition {
        return Some(format!(
            "last ring transition differs: {:?} / {:?}",
            a.last_transition, b.last_transition
        ));
    }
    if a.stats != b.stats {
        return Some(format!("statistics differ: {:?} / {:?}", a.stats, b.stats));
    }
    if a.ram != b.ram {
        let first = a.ram.first_difference(&b.ram);
        return Some(format!("RAM differs first at {first:#x?}"));
    }
    None
}

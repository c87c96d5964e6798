//! Keyboard (line 3): key press and release events from the display window (or scripted with
//! [`Devices::inject_key`](super::Devices::inject_key)), a 16-event FIFO with an unbounded
//! holding queue behind it (events are never dropped), an interrupt per event. Registers:
//! [`super::regs::keyboard`] (SPEC.md §11.9).

use super::fifo::Fifo;
use super::regs::keyboard as reg;
use crate::bus::{Device, Io};
use std::collections::VecDeque;

/// Interrupt line of the keyboard.
pub const LINE: u8 = 3;
/// Events the FIFO holds.
pub const FIFO_SIZE: usize = 16;
/// Event word bit 8: the key was released (clear: pressed).
pub const RELEASE: u32 = 1 << 8;
/// Event word bit 31: set in every event (so a read of an empty FIFO, 0, is told apart).
pub const VALID: u32 = 1 << 31;

/// Key codes (event bits 7:0). Printable keys use the ASCII code of their unshifted character
/// on a US layout (letters lowercase).
pub mod key {
    /// Backspace.
    pub const BACKSPACE: u8 = 0x08;
    /// Tab.
    pub const TAB: u8 = 0x09;
    /// Enter / Return.
    pub const ENTER: u8 = 0x0A;
    /// Escape.
    pub const ESCAPE: u8 = 0x1B;
    /// Space.
    pub const SPACE: u8 = 0x20;
    /// Delete.
    pub const DELETE: u8 = 0x7F;
    /// Cursor up.
    pub const UP: u8 = 0x80;
    /// Cursor down.
    pub const DOWN: u8 = 0x81;
    /// Cursor left.
    pub const LEFT: u8 = 0x82;
    /// Cursor right.
    pub const RIGHT: u8 = 0x83;
    /// Home.
    pub const HOME: u8 = 0x84;
    /// End.
    pub const END: u8 = 0x85;
    /// Page up.
    pub const PAGE_UP: u8 = 0x86;
    /// Page down.
    pub const PAGE_DOWN: u8 = 0x87;
    /// Insert.
    pub const INSERT: u8 = 0x88;
    /// F1 (F2..F12 follow: 0x91..0x9B).
    pub const F1: u8 = 0x90;
    /// Left shift.
    pub const LSHIFT: u8 = 0xA0;
    /// Right shift.
    pub const RSHIFT: u8 = 0xA1;
    /// Left control.
    pub const LCTRL: u8 = 0xA2;
    /// Right control.
    pub const RCTRL: u8 = 0xA3;
    /// Left alt.
    pub const LALT: u8 = 0xA4;
    /// Right alt.
    pub const RALT: u8 = 0xA5;
    /// Caps lock.
    pub const CAPS_LOCK: u8 = 0xA6;
}

/// The event word for `code` pressed (or released).
pub fn event(code: u8, released: bool) -> u32 {
    VALID | code as u32 | if released { RELEASE } else { 0 }
}

/// The keyboard controller.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Keyboard {
    fifo: Fifo<u32>,
    held: VecDeque<u32>,
    script: VecDeque<(u64, u32)>,
    /// CTRL register (bit 0: interrupt enable).
    pub ctrl: u32,
    irq: bool,
    /// Events delivered into the FIFO.
    pub events: u64,
}

impl Default for Keyboard {
    fn default() -> Self {
        Keyboard::new()
    }
}

impl Keyboard {
    /// An idle keyboard.
    pub fn new() -> Keyboard {
        Keyboard {
            fifo: Fifo::new(FIFO_SIZE),
            held: VecDeque::new(),
            script: VecDeque::new(),
            ctrl: 0,
            irq: false,
            events: 0,
        }
    }

    /// Schedules event word `ev` (see [`event`]) to arrive at cycle `at`.
    pub(crate) fn inject(&mut self, at: u64, ev: u32) {
        let pos = self.script.partition_point(|(t, _)| *t <= at);
        self.script.insert(pos, (at, ev | VALID));
    }

    /// An event arrives now (from the window, at a cycle-scheduled refresh).
    pub fn arrive(&mut self, ev: u32) {
        self.held.push_back(ev | VALID);
        self.fill();
    }

    fn fill(&mut self) {
        while !self.fifo.is_full() {
            let Some(ev) = self.held.pop_front() else {
                break;
            };
            let _ = self.fifo.push(ev);
            self.events += 1;
            if self.ctrl & 1 != 0 {
                self.irq = true;
            }
        }
    }

    /// Register read.
    pub fn read(&mut self, offset: u32) -> Option<u32> {
        Some(match offset {
            reg::DATA => {
                let ev = self.fifo.pop().unwrap_or(0);
                self.fill();
                ev
            }
            reg::STATUS => (!self.fifo.is_empty()) as u32 | ((!self.held.is_empty()) as u32) << 1,
            reg::CTRL => self.ctrl,
            reg::COUNT => self.fifo.len() as u32,
            _ => return None,
        })
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            reg::DATA | reg::STATUS | reg::COUNT => {}
            reg::CTRL => {
                self.ctrl = value & 1;
                if self.ctrl & 1 != 0 && !self.fifo.is_empty() {
                    self.irq = true;
                }
            }
            _ => return None,
        }
        Some(())
    }
}

impl Device for Keyboard {
    fn name(&self) -> &'static str {
        "keyboard"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, _io: &mut Io) -> Option<()> {
        self.write(offset, value)
    }

    /// When the next scripted event arrives.
    fn next_event(&self) -> u64 {
        self.script.front().map_or(u64::MAX, |e| e.0)
    }

    fn service(&mut self, io: &mut Io) {
        while self.script.front().is_some_and(|e| e.0 <= io.now) {
            if let Some((_, ev)) = self.script.pop_front() {
                self.arrive(ev);
            }
        }
    }

    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// CTRL cleared; queued events stay (they are the person's input); scripted times
    /// rebased to the restarted cycle counter.
    fn reset(&mut self, io: &mut Io) {
        self.ctrl = 0;
        self.irq = false;
        for e in self.script.iter_mut() {
            e.0 = e.0.saturating_sub(io.now);
        }
    }

    /// Refuses a FIFO no keyboard has.
    fn check(&self) -> Result<(), String> {
        if self.fifo.capacity() != FIFO_SIZE {
            return Err("FIFO of another size".into());
        }
        Ok(())
    }
}

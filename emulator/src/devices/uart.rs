//! UART console: 16-byte TX and RX FIFOs (on `ringbuf`), a modeled line speed of one byte per
//! [`BYTE_CYCLES`] cycles, interrupts on received data and on transmit space (line 1).
//!
//! Registers: [`super::regs::uart`] (SPEC.md §11.5).
//!
//! Timing, all on the cycle clock:
//! * **TX.** A byte the guest writes is handed to the host back end at once and occupies the TX
//!   FIFO until it has been shifted out: the head byte leaves [`BYTE_CYCLES`] after it started,
//!   the next one starts then. Writing `DATA` while the FIFO is full waits (the store retires
//!   when the head byte leaves), so output is never lost.
//! * **RX.** Input arrives with a cycle timestamp (a host poll every [`POLL_CYCLES`] while a
//!   back end can deliver input, or scripted with
//!   [`Devices::inject_serial`](super::Devices::inject_serial)). It waits in a holding queue
//!   and enters the RX FIFO one byte per [`BYTE_CYCLES`]; while the FIFO is full the line is
//!   held (flow control) and resumes one byte time after the guest reads `DATA`. Nothing is
//!   dropped: past [`MAX_HELD`] held bytes the UART stops polling its host, so unread input
//!   waits in the host's pipe or socket.

use super::fifo::Fifo;
use super::regs::uart as reg;
use super::serial::{Host, HostEvent};
use crate::bus::{Device, Io};
/// Where the UART's output goes: host attachments, in [`crate::host`] (re-exported here, where
/// they used to be).
pub use crate::host::sink::{SharedHost, Sink};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Interrupt line of the UART.
pub const LINE: u8 = 1;
/// Depth of each FIFO.
pub const FIFO_SIZE: usize = 16;
/// Cycles to send or receive one byte (the modeled line speed).
pub const BYTE_CYCLES: u64 = 100;
/// Interval between polls of a host back end that can deliver input.
pub const POLL_CYCLES: u64 = 100_000;

/// CTRL bit 0: interrupt when a byte enters the RX FIFO.
pub const CTRL_RXIE: u32 = 1;
/// CTRL bit 1: interrupt when a byte leaves the TX FIFO.
pub const CTRL_TXIE: u32 = 2;
/// STATUS bit 0: the RX FIFO holds a byte.
pub const ST_RX_READY: u32 = 1;
/// STATUS bit 1: the TX FIFO has room.
pub const ST_TX_SPACE: u32 = 2;
/// STATUS bit 2: the TX FIFO is empty (everything has been sent).
pub const ST_TX_EMPTY: u32 = 4;
/// STATUS bit 3: more input is waiting than the RX FIFO holds.
pub const ST_RX_HELD: u32 = 8;

const NEVER: u64 = u64::MAX;
/// Bytes a [`Sink::Buffer`] keeps: past this the oldest half is dropped (and counted in
/// [`Uart::buffer_dropped`]).
pub const MAX_BUFFER: usize = 16 << 20;
/// Input held for the RX FIFO before the UART stops taking more from its host.
pub const MAX_HELD: usize = 64 << 10;

/// The UART. Its sink, host back end and host poll schedule are host attachments, not part
/// of a saved state.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Uart {
    /// Transmit destination.
    #[serde(skip, default = "no_sink")]
    pub sink: Sink,
    /// Host back end (output and input), when attached.
    #[serde(skip)]
    pub host: Option<SharedHost>,
    /// Transmit FIFO (bytes being sent).
    pub tx: Fifo<u8>,
    /// Receive FIFO (bytes waiting to be read).
    pub rx: Fifo<u8>,
    /// Input that has arrived but is not in the RX FIFO yet.
    held: VecDeque<u8>,
    /// Scripted input not yet arrived: (cycle, bytes), in cycle order.
    script: VecDeque<(u64, Vec<u8>)>,
    /// CTRL register.
    pub ctrl: u32,
    /// When the byte at the head of the TX FIFO has been sent (`NEVER` when empty).
    tx_done: u64,
    /// When the next held byte enters the RX FIFO (`NEVER`: none held, or blocked).
    rx_next: u64,
    /// The RX FIFO was full when a byte was due: the line waits for a `DATA` read.
    rx_blocked: bool,
    /// Next host poll (`NEVER` when the back end cannot deliver input).
    #[serde(skip, default = "never")]
    pub(crate) poll_at: u64,
    /// An interrupt to raise.
    irq: bool,
    /// Console commands from the host (quit, flush) for the machine.
    #[serde(skip)]
    pub events: Vec<HostEvent>,
    /// Bytes transmitted.
    pub tx_bytes: u64,
    /// Bytes received into the RX FIFO.
    pub rx_bytes: u64,
    /// Cycles stores to `DATA` waited for FIFO space.
    pub stall_cycles: u64,
    /// Output bytes a [`Sink::Buffer`] no longer holds (the oldest, past [`MAX_BUFFER`]).
    pub buffer_dropped: u64,
}

/// Serde default of the sink (restoring keeps the machine's own).
fn no_sink() -> Sink {
    Sink::None
}

/// Serde default of the host poll time (restoring schedules it for the machine's back end).
fn never() -> u64 {
    NEVER
}

impl Uart {
    /// A UART writing to `sink`.
    pub fn new(sink: Sink) -> Uart {
        Uart {
            sink,
            host: None,
            tx: Fifo::new(FIFO_SIZE),
            rx: Fifo::new(FIFO_SIZE),
            held: VecDeque::new(),
            script: VecDeque::new(),
            ctrl: 0,
            tx_done: NEVER,
            rx_next: NEVER,
            rx_blocked: false,
            poll_at: NEVER,
            irq: false,
            events: Vec::new(),
            tx_bytes: 0,
            rx_bytes: 0,
            stall_cycles: 0,
            buffer_dropped: 0,
        }
    }

    /// Attaches a host back end: output goes to it (as well as to the sink), and it is polled
    /// for input every [`POLL_CYCLES`] from cycle `now` on, for as long as it can deliver input.
    pub fn attach_host(&mut self, h: impl Host + 'static, now: u64) {
        self.host = Some(SharedHost(Arc::new(Mutex::new(h))));
        self.poll_at = now;
    }

    /// Schedules `bytes` of input to arrive at cycle `at` (tests and replays; the same input
    /// at the same cycles gives the same run).
    pub(crate) fn inject(&mut self, at: u64, bytes: &[u8]) {
        let pos = self.script.partition_point(|(t, _)| *t <= at);
        self.script.insert(pos, (at, bytes.to_vec()));
    }

    /// Whether a person may be typing at the back end.
    pub fn interactive(&self) -> bool {
        self.host
            .as_ref()
            .and_then(|h| h.with(|h| h.interactive()))
            .unwrap_or(false)
    }

    /// Processes every line event due at or before `now` (not the host poll).
    fn advance(&mut self, now: u64) {
        loop {
            let script = self.script.front().map_or(NEVER, |e| e.0);
            let t = self.tx_done.min(self.rx_next).min(script);
            if t > now {
                return;
            }
            if t == self.tx_done {
                self.tx.pop();
                self.tx_done = if self.tx.is_empty() {
                    NEVER
                } else {
                    t + BYTE_CYCLES
                };
                if self.ctrl & CTRL_TXIE != 0 {
                    self.irq = true;
                }
            } else if t == script {
                if let Some((at, bytes)) = self.script.pop_front() {
                    self.arrive(at, &bytes);
                }
            } else {
                self.land(t);
            }
        }
    }

    /// Input reaches the holding queue at cycle `at`.
    fn arrive(&mut self, at: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let idle = self.held.is_empty() && !self.rx_blocked;
        self.held.extend(bytes);
        if idle {
            self.rx_next = at + BYTE_CYCLES;
        }
    }

    /// The next held byte is due in the RX FIFO at cycle `t`.
    fn land(&mut self, t: u64) {
        if self.rx.is_full() {
            self.rx_next = NEVER;
            self.rx_blocked = true;
            return;
        }
        if let Some(b) = self.held.pop_front() {
            let _ = self.rx.push(b);
            self.rx_bytes += 1;
            if self.ctrl & CTRL_RXIE != 0 {
                self.irq = true;
            }
        }
        self.rx_next = if self.held.is_empty() {
            NEVER
        } else {
            t + BYTE_CYCLES
        };
    }

    /// Device events at an instruction boundary: the line, then the host poll if due.
    /// Returns whether it polled a host that keeps the machine to real time ([`Host::paced`]).
    pub fn service(&mut self, now: u64) -> bool {
        self.advance(now);
        if now >= self.poll_at {
            self.poll_host(now);
            return self
                .host
                .as_ref()
                .and_then(|h| h.with(|h| h.paced()))
                .unwrap_or(false);
        }
        false
    }

    fn poll_host(&mut self, now: u64) {
        let Some(h) = &self.host else {
            self.poll_at = NEVER;
            return;
        };
        if self.held.len() >= MAX_HELD {
            // The guest is not reading: leave further input with the host until it does.
            self.poll_at = now + POLL_CYCLES;
            return;
        }
        let mut input = Vec::new();
        let events = &mut self.events;
        let open = h
            .with(|h| {
                let open = h.poll(&mut input, events);
                h.flush();
                open
            })
            .unwrap_or(false);
        self.arrive(now, &input);
        self.poll_at = if open { now + POLL_CYCLES } else { NEVER };
    }

    /// Sends a byte to the host side.
    fn emit(&mut self, b: u8) {
        // A guest printing forever costs bounded memory: a buffer keeps the newest output.
        self.buffer_dropped += self.sink.put(b, MAX_BUFFER);
        if let Some(h) = &self.host {
            h.with(|h| h.write(&[b]));
        }
    }

    /// Register read at cycle `now`.
    pub fn read(&mut self, offset: u32, now: u64) -> Option<u32> {
        self.advance(now);
        Some(match offset {
            reg::DATA => {
                let b = self.rx.pop();
                if b.is_some() && self.rx_blocked {
                    self.rx_blocked = false;
                    self.rx_next = now + BYTE_CYCLES;
                }
                b.unwrap_or(0) as u32
            }
            reg::STATUS => self.status(),
            reg::CTRL => self.ctrl,
            reg::RXCOUNT => self.rx.len() as u32,
            reg::TXCOUNT => self.tx.len() as u32,
            _ => return None,
        })
    }

    /// STATUS as it reads now.
    pub fn status(&self) -> u32 {
        let mut s = 0;
        if !self.rx.is_empty() {
            s |= ST_RX_READY;
        }
        if !self.tx.is_full() {
            s |= ST_TX_SPACE;
        }
        if self.tx.is_empty() {
            s |= ST_TX_EMPTY;
        }
        if !self.held.is_empty() {
            s |= ST_RX_HELD;
        }
        s
    }

    /// Register write at cycle `now`. Returns the cycles the store waits (a `DATA` write to a
    /// full TX FIFO waits until the head byte has been sent).
    pub fn write(&mut self, offset: u32, value: u32, now: u64) -> Option<u64> {
        self.advance(now);
        let mut wait = 0;
        match offset {
            reg::DATA => {
                let mut at = now;
                if self.tx.is_full() {
                    wait = self.tx_done - now;
                    at = self.tx_done;
                    self.stall_cycles += wait;
                    self.advance(at);
                }
                let b = value as u8;
                if self.tx.is_empty() {
                    self.tx_done = at + BYTE_CYCLES;
                }
                let _ = self.tx.push(b);
                self.tx_bytes += 1;
                self.emit(b);
            }
            reg::STATUS | reg::RXCOUNT | reg::TXCOUNT => {}
            reg::CTRL => {
                self.ctrl = value & (CTRL_RXIE | CTRL_TXIE);
                if (self.ctrl & CTRL_RXIE != 0 && !self.rx.is_empty())
                    || (self.ctrl & CTRL_TXIE != 0 && !self.tx.is_full())
                {
                    self.irq = true;
                }
            }
            _ => return None,
        }
        Some(wait)
    }

    /// Flushes the host back end's buffered output.
    pub fn flush(&mut self) {
        self.sink.flush();
        if let Some(h) = &self.host {
            h.with(|h| h.flush());
        }
    }

    /// The bytes transmitted so far, when the sink is a buffer.
    pub fn output(&self) -> &[u8] {
        self.sink.output()
    }

    /// Bytes waiting in the RX FIFO and the holding queue (for tests and the debugger).
    pub fn pending_input(&self) -> usize {
        self.rx.len() + self.held.len() + self.script.iter().map(|e| e.1.len()).sum::<usize>()
    }
}

impl Device for Uart {
    fn name(&self) -> &'static str {
        "UART"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, io: &mut Io) -> Option<u32> {
        self.read(offset, io.now)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, io: &mut Io) -> Option<()> {
        io.stall += self.write(offset, value, io.now)?;
        Some(())
    }

    /// The next cycle at which the UART has something to do.
    fn next_event(&self) -> u64 {
        let script = self.script.front().map_or(NEVER, |e| e.0);
        self.tx_done.min(self.rx_next).min(script).min(self.poll_at)
    }

    fn service(&mut self, io: &mut Io) {
        io.paced |= Uart::service(self, io.now);
        io.host_events.append(&mut self.events);
    }

    /// Takes the pending interrupt request.
    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// Reset (SPEC §13): registers and FIFOs cleared. Bytes in the RX FIFO go back to the
    /// front of the holding queue (input is never dropped); times are rebased to the cycle
    /// counter restarting at 0 (`io.now` = the count before the reset).
    fn reset(&mut self, io: &mut Io) {
        let mut back: Vec<u8> = self.rx.items();
        back.extend(self.held.drain(..));
        self.held = back.into();
        self.rx.clear();
        self.tx.clear();
        self.ctrl = 0;
        self.irq = false;
        self.tx_done = NEVER;
        self.rx_blocked = false;
        self.rx_next = if self.held.is_empty() {
            NEVER
        } else {
            BYTE_CYCLES
        };
        for e in self.script.iter_mut() {
            e.0 = e.0.saturating_sub(io.now);
        }
        if self.poll_at != NEVER {
            self.poll_at = self.poll_at.saturating_sub(io.now);
        }
    }

    /// Refuses a restored UART whose FIFOs or timing no UART could have (a damaged state).
    fn check(&self) -> Result<(), String> {
        if self.tx.capacity() != FIFO_SIZE || self.rx.capacity() != FIFO_SIZE {
            return Err("FIFOs of another size".into());
        }
        // The byte being sent always has a completion time, and only then.
        if self.tx.is_empty() != (self.tx_done == NEVER) {
            return Err("transmit timing without a byte to send".into());
        }
        Ok(())
    }

    /// Keeps the machine's sink and back end; a back end that can deliver input is polled at
    /// once, then on its usual schedule.
    fn adopt_host(&mut self, old: &mut Self, io: &mut Io) {
        self.sink = std::mem::replace(&mut old.sink, Sink::None);
        self.host = old.host.take();
        self.poll_at = if self.host.is_some() { io.now } else { NEVER };
    }
}

/// The parts of the UART both engines must agree on (everything but the host back end).
impl PartialEq for Uart {
    fn eq(&self, o: &Self) -> bool {
        self.output() == o.output()
            && self.tx == o.tx
            && self.rx == o.rx
            && self.held == o.held
            && self.script == o.script
            && self.ctrl == o.ctrl
            && self.tx_done == o.tx_done
            && self.rx_next == o.rx_next
            && self.rx_blocked == o.rx_blocked
            && self.tx_bytes == o.tx_bytes
            && self.rx_bytes == o.rx_bytes
            && self.stall_cycles == o.stall_cycles
            && self.buffer_dropped == o.buffer_dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_sink_keeps_the_newest_output_within_its_bound() {
        let mut u = Uart::new(Sink::Buffer(Vec::new()));
        let n = MAX_BUFFER as u64 + MAX_BUFFER as u64 / 4;
        for i in 0..n {
            let now = i * BYTE_CYCLES;
            assert_eq!(u.write(0, (i % 251) as u32, now), Some(0));
        }
        u.advance(n * BYTE_CYCLES + BYTE_CYCLES);
        let out = u.output();
        assert!(out.len() <= MAX_BUFFER, "{} bytes kept", out.len());
        assert_eq!(
            out.len() as u64 + u.buffer_dropped,
            n,
            "every byte kept or counted"
        );
        let last = out.len() - 1;
        assert_eq!(out[last] as u64, (n - 1) % 251, "the newest byte is kept");
    }

    /// A host that always has more input (like `cat /dev/zero | ringfort run`).
    struct Endless;

    impl Host for Endless {
        fn write(&mut self, _: &[u8]) {}
        fn poll(&mut self, out: &mut Vec<u8>, _: &mut Vec<HostEvent>) -> bool {
            out.extend_from_slice(&[b'z'; 4096]);
            true
        }
        fn describe(&self) -> String {
            "endless".into()
        }
    }

    /// A host that is not to be paced (the debugger's while it re-executes).
    struct Unpaced;

    impl Host for Unpaced {
        fn write(&mut self, _: &[u8]) {}
        fn poll(&mut self, _: &mut Vec<u8>, _: &mut Vec<HostEvent>) -> bool {
            true
        }
        fn paced(&self) -> bool {
            false
        }
        fn describe(&self) -> String {
            "unpaced".into()
        }
    }

    #[test]
    fn only_a_paced_host_asks_for_real_time() {
        let mut u = Uart::new(Sink::None);
        u.attach_host(Endless, 0);
        assert!(u.service(0), "polled, and paced");
        assert!(!u.service(1), "not due");
        let mut u = Uart::new(Sink::None);
        u.attach_host(Unpaced, 0);
        assert!(!u.service(0), "polled, not paced");
    }

    #[test]
    fn input_the_guest_does_not_read_stays_with_the_host() {
        let mut u = Uart::new(Sink::None);
        u.attach_host(Endless, 0);
        let mut now = 0;
        for _ in 0..10_000 {
            now += POLL_CYCLES;
            u.service(now);
        }
        assert!(
            u.held.len() <= MAX_HELD + 4096,
            "{} bytes held",
            u.held.len()
        );
        assert_eq!(
            u.rx.len(),
            FIFO_SIZE,
            "the guest's FIFO is full, nothing more was taken"
        );
    }

    #[test]
    fn tx_fifo_drains_one_byte_per_byte_time_and_full_writes_wait() {
        let mut u = Uart::new(Sink::Buffer(Vec::new()));
        for i in 0..FIFO_SIZE as u32 {
            assert_eq!(u.write(0, b'a' as u32 + i, 10), Some(0));
        }
        assert_eq!(u.read(0x04, 10), Some(0)); // TX full, nothing received
        assert_eq!(u.next_event(), 10 + BYTE_CYCLES);
        // A 17th byte waits for the first to leave.
        assert_eq!(u.write(0, b'!' as u32, 20), Some(10 + BYTE_CYCLES - 20));
        assert_eq!(u.read(0x10, 10 + BYTE_CYCLES), Some(FIFO_SIZE as u32));
        // Everything is out 17 byte times after the first write.
        assert_eq!(
            u.read(0x04, 10 + 17 * BYTE_CYCLES),
            Some(ST_TX_SPACE | ST_TX_EMPTY)
        );
        assert_eq!(u.output(), b"abcdefghijklmnop!");
    }

    #[test]
    fn rx_input_is_held_not_dropped() {
        let mut u = Uart::new(Sink::Buffer(Vec::new()));
        let input: Vec<u8> = (0..40).collect();
        u.inject(0, &input);
        u.service(1_000_000);
        assert_eq!(u.read(0x0C, 1_000_000), Some(FIFO_SIZE as u32));
        assert_ne!(u.status() & ST_RX_HELD, 0);
        let mut got = Vec::new();
        let mut now = 1_000_000;
        while got.len() < input.len() {
            now += 1000;
            u.service(now);
            while u.status() & ST_RX_READY != 0 {
                got.push(u.read(0, now).unwrap() as u8);
            }
        }
        assert_eq!(got, input);
        assert_eq!(u.rx_bytes, 40);
    }
}

//! UART console (minimal register model; the full device with FIFOs and host back ends is
//! tracked by the devices issue).
//!
//! Registers: 0x00 DATA (write: transmit; read: next received byte, 0 if none), 0x04 STATUS
//! (bit0 RX ready, bit1 TX can accept), 0x08 CTRL (bit0 RX interrupt enable, bit1 TX interrupt
//! enable).

use std::collections::VecDeque;
use std::io::Write;

/// Interrupt line of the UART.
pub const LINE: u8 = 1;

/// Where transmitted bytes go.
#[derive(Clone)]
pub enum Sink {
    /// Discard.
    None,
    /// Host standard output.
    Stdout,
    /// Kept in memory (tests, embedding).
    Buffer(Vec<u8>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sink::None => write!(f, "None"),
            Sink::Stdout => write!(f, "Stdout"),
            Sink::Buffer(b) => write!(f, "Buffer({} bytes)", b.len()),
        }
    }
}

/// The UART.
#[derive(Clone, Debug)]
pub struct Uart {
    /// Transmit destination.
    pub sink: Sink,
    /// Received bytes waiting for the guest.
    pub rx: VecDeque<u8>,
    /// CTRL register.
    pub ctrl: u32,
    /// Bytes transmitted.
    pub tx_bytes: u64,
}

impl Uart {
    /// A UART writing to `sink`.
    pub fn new(sink: Sink) -> Uart {
        Uart {
            sink,
            rx: VecDeque::new(),
            ctrl: 0,
            tx_bytes: 0,
        }
    }

    /// Register read.
    pub fn read(&mut self, offset: u32) -> Option<u32> {
        Some(match offset {
            0x00 => self.rx.pop_front().unwrap_or(0) as u32,
            0x04 => (!self.rx.is_empty()) as u32 | 2,
            0x08 => self.ctrl,
            _ => return None,
        })
    }

    /// Register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            0x00 => {
                let b = value as u8;
                self.tx_bytes += 1;
                match &mut self.sink {
                    Sink::None => {}
                    Sink::Stdout => {
                        let mut out = std::io::stdout().lock();
                        let _ = out.write_all(&[b]);
                        if b == b'\n' {
                            let _ = out.flush();
                        }
                    }
                    Sink::Buffer(v) => v.push(b),
                }
            }
            0x04 => {}
            0x08 => self.ctrl = value & 3,
            _ => return None,
        }
        Some(())
    }

    /// The bytes transmitted so far, when the sink is a buffer.
    pub fn output(&self) -> &[u8] {
        match &self.sink {
            Sink::Buffer(v) => v,
            _ => &[],
        }
    }
}

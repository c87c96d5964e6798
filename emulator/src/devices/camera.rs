//! Camera (line 4): a sensor that is off until a driver switches it on, then captures
//! test-pattern frames (moving colour bars, a pure function of the frame number, so runs are
//! deterministic) into guest RAM by DMA. Its registers are MMIO, so only code at ring <= IOPL
//! — a driver — can reach it; ring-3 programs fault with `IO_PRIVILEGE`.
//!
//! Whenever it is on, the emulator shows an "in use" indicator: a [`Notice::Camera`] at each
//! change (the binary prints `[camera on]` / `[camera off]` on stderr), and a marker in the
//! display window.
//!
//! Registers: [`super::regs::camera`] (SPEC.md §11.11).

use super::regs::camera as reg;
use super::CLOCK_HZ;
use crate::bus::{Device, Io};
use crate::host::Notice;

/// Interrupt line of the camera.
pub const LINE: u8 = 4;
/// Frame width in pixels.
pub const WIDTH: u32 = 160;
/// Frame height in pixels.
pub const HEIGHT: u32 = 120;
/// Bytes per frame (32-bit `0x00RRGGBB` pixels, row by row, pitch = 4·WIDTH).
pub const FRAME_BYTES: u32 = WIDTH * HEIGHT * 4;
/// Cycles per sensor frame (30 frames per second at the modeled clock).
pub const FRAME_CYCLES: u64 = CLOCK_HZ / 30;
/// The eight bars, left to right.
pub const BARS: [u32; 8] = [
    0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00, 0xFF00FF, 0xFF0000, 0x0000FF, 0x000000,
];
/// Pixels the bars move left per frame.
pub const BAR_SPEED: u32 = 4;
/// Rows at the bottom showing the frame number in binary.
pub const COUNTER_ROWS: u32 = 8;

/// CTRL bit 0: sensor power (the in-use indicator follows it).
pub const CTRL_ON: u32 = 1;
/// CTRL bit 1: interrupt when a capture completes.
pub const CTRL_IE: u32 = 2;
/// STATUS bit 0: on.
pub const ST_ON: u32 = 1;
/// STATUS bit 1: a capture is in progress.
pub const ST_BUSY: u32 = 2;
/// STATUS bit 2: a capture completed (cleared by ACK or the next capture).
pub const ST_DONE: u32 = 4;
/// STATUS bit 3: the last capture request failed; ERROR says why.
pub const ST_ERROR: u32 = 8;

/// ERROR codes.
pub mod err {
    /// CAPTURE while the camera is off.
    pub const OFF: u32 = 1;
    /// The buffer [ADDR, ADDR + FRAME_BYTES) is not entirely in RAM.
    pub const BAD_ADDRESS: u32 = 2;
    /// CAPTURE while a capture is in progress.
    pub const BUSY: u32 = 3;
}

/// Pixel `(x, y)` of frame number `frame`: bars moving left by [`BAR_SPEED`] pixels per frame;
/// the bottom [`COUNTER_ROWS`] rows show bit `x / 10` of the frame number (white = 1).
pub fn pattern_pixel(frame: u64, x: u32, y: u32) -> u32 {
    if y >= HEIGHT - COUNTER_ROWS {
        return if (x / 10) < 64 && (frame >> (x / 10)) & 1 != 0 {
            0xFFFFFF
        } else {
            0x000000
        };
    }
    let shift = (frame * BAR_SPEED as u64 % WIDTH as u64) as u32;
    BARS[(((x + shift) % WIDTH) / (WIDTH / 8)) as usize]
}

/// Indicator changes [`Camera::indicator_log`] keeps (a guest may toggle the camera forever).
pub const MAX_INDICATOR_LOG: usize = 4096;

/// How the in-use indicator is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indicator {
    /// A [`Notice::Camera`] at each change (and the window marker).
    Notice,
    /// Only recorded (embedding, tests that check [`Camera::indicator_log`]).
    Quiet,
}

/// The camera.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Camera {
    /// CTRL register.
    pub ctrl: u32,
    /// ADDR register.
    pub addr: u32,
    busy: bool,
    done: bool,
    error: u32,
    done_at: u64,
    irq: bool,
    /// How the indicator is shown (a host choice: not part of a saved state).
    #[serde(skip, default = "notice_indicator")]
    pub indicator: Indicator,
    /// The changes of the indicator: (cycle, on), the newest [`MAX_INDICATOR_LOG`].
    pub indicator_log: Vec<(u64, bool)>,
    /// RAM writes (physical address, bytes) the machine must perform (the frame DMA; empty
    /// between instructions, so never saved).
    #[serde(skip)]
    pub(crate) dma_out: Vec<(u32, Vec<u8>)>,
    /// Frames captured into RAM.
    pub frames: u64,
    /// Sensor frame number of the last capture (its pixels are [`pattern_pixel`] of it).
    pub last_frame: u64,
    /// Bytes moved by DMA.
    pub dma_bytes: u64,
}

/// Serde default of the indicator (restoring keeps the machine's own).
fn notice_indicator() -> Indicator {
    Indicator::Notice
}

impl Default for Camera {
    fn default() -> Self {
        Camera::new()
    }
}

impl Camera {
    /// A camera that is off.
    pub fn new() -> Camera {
        Camera {
            ctrl: 0,
            addr: 0,
            busy: false,
            done: false,
            error: 0,
            done_at: u64::MAX,
            irq: false,
            indicator: Indicator::Notice,
            indicator_log: Vec::new(),
            dma_out: Vec::new(),
            frames: 0,
            last_frame: 0,
            dma_bytes: 0,
        }
    }

    /// Whether the sensor is on (the in-use indicator is lit).
    pub fn is_on(&self) -> bool {
        self.ctrl & CTRL_ON != 0
    }

    fn set_power(&mut self, on: bool, now: u64) {
        if on == self.is_on() {
            return;
        }
        if on {
            self.ctrl |= CTRL_ON;
        } else {
            self.ctrl &= !CTRL_ON;
            // Switching off abandons a capture in progress.
            self.busy = false;
            self.done_at = u64::MAX;
        }
        crate::bounded::push_newest(&mut self.indicator_log, (now, on), MAX_INDICATOR_LOG);
    }

    /// STATUS as it reads now.
    pub fn status(&self) -> u32 {
        let mut s = 0;
        if self.is_on() {
            s |= ST_ON;
        }
        if self.busy {
            s |= ST_BUSY;
        }
        if self.done {
            s |= ST_DONE;
        }
        if self.error != 0 {
            s |= ST_ERROR;
        }
        s
    }

    /// Register read.
    pub fn read(&self, offset: u32) -> Option<u32> {
        Some(match offset {
            reg::CTRL => self.ctrl,
            reg::STATUS => self.status(),
            reg::ADDR => self.addr,
            reg::CAPTURE | reg::ACK => 0,
            reg::WIDTH => WIDTH,
            reg::HEIGHT => HEIGHT,
            reg::FRAMES => self.frames as u32,
            reg::ERROR => self.error,
            _ => return None,
        })
    }

    /// Register write at cycle `now`; `ram_len` bounds the DMA buffer.
    pub fn write(&mut self, offset: u32, value: u32, now: u64, ram_len: usize) -> Option<()> {
        match offset {
            reg::CTRL => {
                self.ctrl = (self.ctrl & CTRL_ON) | (value & CTRL_IE);
                self.set_power(value & CTRL_ON != 0, now);
            }
            reg::STATUS | reg::WIDTH | reg::HEIGHT | reg::FRAMES | reg::ERROR => {}
            reg::ADDR => self.addr = value,
            reg::CAPTURE => {
                if value & 1 != 0 {
                    self.capture(now, ram_len);
                }
            }
            reg::ACK => {
                if value & 1 != 0 {
                    self.done = false;
                    self.error = 0;
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// A capture request: the next sensor frame (number `now / FRAME_CYCLES + 1`) goes to
    /// ADDR, complete at that frame's start cycle.
    fn capture(&mut self, now: u64, ram_len: usize) {
        let error = if !self.is_on() {
            err::OFF
        } else if self.busy {
            err::BUSY
        } else if self.addr as u64 + FRAME_BYTES as u64 > ram_len as u64 {
            err::BAD_ADDRESS
        } else {
            0
        };
        if error != 0 {
            self.error = error;
            if error != err::BUSY {
                self.done = true;
                if self.ctrl & CTRL_IE != 0 {
                    self.irq = true;
                }
            }
            return;
        }
        self.done = false;
        self.error = 0;
        let frame = now / FRAME_CYCLES + 1;
        let mut data = Vec::with_capacity(FRAME_BYTES as usize);
        for y in 0..HEIGHT {
            for x in 0..WIDTH {
                data.extend_from_slice(&pattern_pixel(frame, x, y).to_le_bytes());
            }
        }
        self.dma_out.push((self.addr, data));
        self.last_frame = frame;
        self.dma_bytes += FRAME_BYTES as u64;
        self.busy = true;
        self.done_at = frame * FRAME_CYCLES;
    }

    /// Reset: the camera switches off (the indicator goes out).
    pub fn reset(&mut self, now: u64) {
        self.set_power(false, now);
        self.ctrl = 0;
        self.addr = 0;
        self.done = false;
        self.error = 0;
        self.irq = false;
    }
}

impl Camera {
    /// Shows the indicator if the sensor's power changed from `was`.
    fn tell(&self, was: bool, io: &mut Io) {
        if self.is_on() != was && self.indicator == Indicator::Notice {
            io.notices.push(Notice::Camera { on: self.is_on() });
        }
    }
}

impl Device for Camera {
    fn name(&self) -> &'static str {
        "camera"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, io: &mut Io) -> Option<()> {
        let was = self.is_on();
        let r = self.write(offset, value, io.now, io.ram.len());
        io.dma.append(&mut self.dma_out);
        self.tell(was, io);
        r
    }

    /// When the capture in progress completes.
    fn next_event(&self) -> u64 {
        self.done_at
    }

    /// Device events due at `now`: a capture completes.
    fn service(&mut self, io: &mut Io) {
        if self.busy && io.now >= self.done_at {
            self.busy = false;
            self.done = true;
            self.frames += 1;
            self.done_at = u64::MAX;
            if self.ctrl & CTRL_IE != 0 {
                self.irq = true;
            }
        }
    }

    /// Takes the pending interrupt request.
    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    fn reset(&mut self, io: &mut Io) {
        let was = self.is_on();
        Camera::reset(self, io.now);
        self.tell(was, io);
    }

    /// Keeps the machine's indicator choice; the indicator follows the restored camera.
    fn adopt_host(&mut self, old: &mut Self, io: &mut Io) {
        self.indicator = old.indicator;
        self.tell(old.is_on(), io);
    }
}

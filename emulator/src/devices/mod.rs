//! Emulated devices, one module each, reached through the MMIO window (SPEC.md §11) and timed
//! on the cycle clock — never host time — so runs are deterministic. Each implements
//! [`Device`]; the `board!` table below is the bus map, and everything that concerns every
//! device (dispatch, events, interrupts into the [`pic`], reset, state checks) follows from it.
//!
//! The contract with the engines: every device deadline is in [`Devices::next_event`], and
//! every device-driven state change happens in [`Devices::service`] (at an instruction boundary
//! whose cycle count has reached `next_event()`) or in a register access. Host input (serial,
//! window keys) is only looked at in `service`, on cycle-scheduled polls, and enters the
//! devices with that cycle as its time.

#[macro_use]
mod board;
pub mod camera;
pub mod disk;
pub mod fb;
pub mod fifo;
pub mod keyboard;
pub mod pic;
pub mod power;
pub mod regs;
pub mod rtc;
pub mod timer;
pub mod uart;

/// The host back ends used to live here; they are in [`crate::host`] now.
pub use crate::host::{display, serial};

use crate::bus::NO_RAM;
pub use crate::bus::{Device, Io, NEVER};
use crate::host::{Notice, Notices};
use crate::ram::Ram;
use isa_spec::cr::memmap;
use std::time::{Duration, Instant};

/// The modeled clock rate: cycles per second of guest time (RTC, frame rates, line speeds).
pub const CLOCK_HZ: u64 = 100_000_000;

board! {
    /// Interrupt controller.
    pic: pic::Pic = memmap::PIC => pic::Pic::default();
    /// Timer.
    timer: timer::Timer = memmap::TIMER => timer::Timer::new();
    /// Console UART.
    uart: uart::Uart = memmap::UART => uart::Uart::new(uart::Sink::None);
    /// Power/reset controller.
    power: power::Power = memmap::POWER => power::Power::default();
    /// Block device.
    disk: disk::Disk = memmap::DISK => disk::Disk::new();
    /// Framebuffer (video memory and FBCTL).
    fb: fb::Framebuffer = memmap::FBCTL => fb::Framebuffer::new();
    /// Keyboard.
    keyboard: keyboard::Keyboard = memmap::KEYBOARD => keyboard::Keyboard::new();
    /// Real-time clock.
    rtc: rtc::Rtc = memmap::RTC => rtc::Rtc::default();
    /// Camera.
    camera: camera::Camera = memmap::CAMERA => camera::Camera::new();
}

/// Keeps an interactive session from racing ahead of the person at it: at host polls, if the
/// guest's modeled time (cycles at [`CLOCK_HZ`]) is well ahead of the host time elapsed, sleep.
/// Only host pacing; nothing the guest sees depends on it.
#[derive(Clone, Debug, Default)]
struct Pacer {
    start: Option<(Instant, u64)>,
}

impl Pacer {
    fn pace(&mut self, now: u64) {
        let (t0, c0) = *self.start.get_or_insert((Instant::now(), now));
        let guest = Duration::from_nanos(now.saturating_sub(c0).saturating_mul(rtc::NS_PER_CYCLE));
        let host = t0.elapsed();
        if guest > host + Duration::from_millis(20) {
            std::thread::sleep((guest - host).min(Duration::from_millis(100)));
        }
    }
}

/// Serde default of the skipped deadlines (recomputed or re-attached on restoring).
fn never() -> u64 {
    NEVER
}

/// Per-device counters for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceStats {
    /// Interrupts raised, by line.
    pub irqs: [u64; 16],
    /// UART bytes sent / received.
    pub uart_tx: u64,
    /// UART bytes received.
    pub uart_rx: u64,
    /// Disk sectors read.
    pub sectors_read: u64,
    /// Disk sectors written.
    pub sectors_written: u64,
    /// Disk flush commands.
    pub disk_flushes: u64,
    /// Bytes moved by DMA (disk and camera).
    pub dma_bytes: u64,
    /// Camera frames captured.
    pub frames_captured: u64,
    /// Keyboard events delivered.
    pub key_events: u64,
    /// Framebuffer memory accesses.
    pub fb_accesses: u64,
    /// Timer expiries.
    pub timer_fires: u64,
    /// RTC alarms.
    pub rtc_alarms: u64,
}

impl Devices {
    /// Devices in their reset state, the UART writing to `sink`; no disk, no window, the RTC
    /// at [`rtc::DEFAULT_BASE`].
    pub fn new(sink: uart::Sink) -> Devices {
        let mut d = Devices::board();
        d.uart.sink = sink;
        d.update();
        d
    }

    /// Attaches a disk image (its write-back failures at close become notices).
    pub fn attach_disk(&mut self, image: disk::Image) {
        image.report_to(&self.notices);
        self.disk.image = Some(image);
    }

    /// Attaches a serial back end to the UART, polled for input from cycle `now` on. (Through
    /// here, not the UART alone: the first poll must be in the machine's event schedule, or a
    /// guest that never touches a device would never see input, nor the console's `Ctrl-A x`.)
    pub fn attach_serial(&mut self, h: impl serial::Host + 'static, now: u64) {
        self.uart.attach_host(h, now);
        self.update();
    }

    /// Scripted serial input: `bytes` arrive at the UART at cycle `at` (tests, embedding).
    /// Through here, not the UART alone, so that the arrival is in the event schedule: a guest
    /// asleep in `wfi` is woken by it.
    pub fn inject_serial(&mut self, at: u64, bytes: &[u8]) {
        self.uart.inject(at, bytes);
        self.update();
    }

    /// Scripted key event `ev` ([`keyboard::event`]) at cycle `at`; see [`Devices::inject_serial`].
    pub fn inject_key(&mut self, at: u64, ev: u32) {
        self.keyboard.inject(at, ev);
        self.update();
    }

    /// Attaches a window; the display refreshes every [`fb::FRAME_CYCLES`] from now on.
    pub fn attach_display(&mut self, d: display::Display) {
        self.display = Some(d);
        self.refresh_at = 0;
        self.update();
    }

    /// Reads the 32-bit register at physical `addr` (inside the MMIO window) at cycle `now`;
    /// `None` = bus error.
    pub fn read(&mut self, addr: u32, now: u64) -> Option<u32> {
        self.accesses += 1;
        let mut io = Io::new(now, &NO_RAM);
        let v = match self.device_at(addr) {
            Some(d) => d.mmio_read(addr & 0xfff, 4, &mut io),
            None => None,
        };
        self.absorb(io);
        self.update();
        v
    }

    /// Writes the 32-bit register at physical `addr` at cycle `now` (the writing instruction's
    /// retire time); `ram` is guest RAM, for DMA reads. `None` = bus error. Afterwards the
    /// machine takes [`Devices::take_stall`] and performs [`Devices::take_dma`].
    pub fn write(&mut self, addr: u32, value: u32, now: u64, ram: &Ram) -> Option<()> {
        self.accesses += 1;
        let mut io = Io::new(now, ram);
        let r = match self.device_at(addr) {
            Some(d) => d.mmio_write(addr & 0xfff, 4, value, &mut io),
            None => None,
        };
        self.absorb(io);
        self.update();
        r
    }

    /// Keeps what an access or event handed back: wait states, DMA, notices.
    fn absorb(&mut self, io: Io) {
        self.stall += io.stall;
        self.dma.extend(io.dma);
        for n in io.notices {
            self.notices.push(n);
        }
    }

    /// Wait states the last register write added to its instruction (a UART `DATA` write to a
    /// full FIFO).
    pub fn take_stall(&mut self) -> u64 {
        std::mem::take(&mut self.stall)
    }

    /// DMA writes into RAM the devices have asked for: (physical address, bytes), each already
    /// checked to lie inside RAM. The machine performs them, invalidating translated code.
    pub fn take_dma(&mut self) -> Vec<(u32, Vec<u8>)> {
        std::mem::take(&mut self.dma)
    }

    /// Reads `size` bytes of framebuffer memory at offset `off` in the window.
    pub fn fb_read(&mut self, off: u32, size: u32) -> u32 {
        self.fb_accesses += 1;
        self.fb.read_mem(off, size)
    }

    /// Writes `size` bytes of framebuffer memory at offset `off` in the window.
    pub fn fb_write(&mut self, off: u32, size: u32, value: u32) {
        self.fb_accesses += 1;
        self.fb.write_mem(off, size, value);
    }

    /// The next cycle at which a device needs attention (cached: engines check it often).
    #[inline]
    pub fn next_event(&self) -> u64 {
        self.next
    }

    /// Runs device events due at `now` (called at instruction boundaries).
    pub fn service(&mut self, now: u64) {
        let mut io = Io::new(now, &NO_RAM);
        self.service_each(&mut io);
        let mut host_polled = io.paced;
        if now >= self.refresh_at {
            self.refresh(now);
            host_polled = true;
        }
        for ev in std::mem::take(&mut io.host_events) {
            match ev {
                serial::HostEvent::Quit => self.request_quit(),
                serial::HostEvent::FlushDisks => {
                    if let Some(img) = self.disk.image.as_ref().filter(|i| i.is_in_memory()) {
                        io.notices.push(Notice::DiskInMemory {
                            name: img.path().to_path_buf(),
                        });
                    } else if let Some(img) = &self.disk.image {
                        io.notices.push(Notice::DiskWritten {
                            path: img.path().to_path_buf(),
                            error: img.flush().err().map(|e| e.to_string()),
                        });
                    }
                }
                serial::HostEvent::Help => io.notices.push(Notice::EscapeHelp),
            }
        }
        self.absorb(io);
        // Input can still come from the host: don't let an idle guest spin through polls.
        if host_polled && !self.quit {
            self.pacer.pace(now);
        }
        self.update();
    }

    /// The person at the console asked to quit.
    fn request_quit(&mut self) {
        self.quit = true;
        self.power.request = Some(power::PowerRequest::Off(0));
    }

    /// Display refresh: show the frame, collect typed keys.
    fn refresh(&mut self, now: u64) {
        let Some(d) = self.display.clone() else {
            self.refresh_at = NEVER;
            return;
        };
        for (code, released) in d.keys() {
            self.keyboard.arrive(keyboard::event(code, released));
        }
        self.uart.flush();
        if d.closed() {
            self.request_quit();
        }
        let due = match self.last_show {
            Some(t) => t.elapsed() >= Duration::from_millis(15),
            None => true,
        };
        if due {
            let (width, height, pixels) = self.fb.render();
            d.show(display::Frame {
                width,
                height,
                pixels,
                camera_on: self.camera.is_on(),
            });
            self.last_show = Some(Instant::now());
        }
        self.refresh_at = now - now % fb::FRAME_CYCLES + fb::FRAME_CYCLES;
    }

    /// Raises the lines devices asked for and recomputes the next event.
    pub(crate) fn update(&mut self) {
        let lines = self.requested_lines();
        if lines != 0 {
            for line in 0..16 {
                if lines & (1 << line) != 0 {
                    self.pic.raise(line);
                }
            }
        }
        self.next = if self.quit {
            NEVER
        } else {
            self.earliest_event().min(self.refresh_at)
        };
    }

    /// Reset (SPEC §13): every device to its reset state; host attachments (serial back end,
    /// disk image, window), video memory and queued input stay. `elapsed` is the cycle count
    /// before the reset (the counter restarts at 0).
    pub fn reset(&mut self, elapsed: u64) {
        let mut io = Io::new(elapsed, &NO_RAM);
        self.reset_each(&mut io);
        self.absorb(io);
        if self.refresh_at != NEVER {
            self.refresh_at = 0;
        }
        self.pacer = Pacer::default();
        self.stall = 0;
        self.update();
    }

    /// After a restore: takes back the host attachments `old` (the devices before it) had —
    /// serial back end and sink, disk image, window, notices — and reschedules host polls
    /// from cycle `now`.
    pub(crate) fn adopt_host(&mut self, mut old: Devices, now: u64) {
        self.notices = old.notices.clone();
        let mut io = Io::new(now, &NO_RAM);
        self.adopt_each(&mut old, &mut io);
        self.absorb(io);
        self.quit = old.quit;
        self.refresh_at = if old.display.is_some() { 0 } else { NEVER };
        self.display = old.display;
        self.update();
    }

    /// Clean exit: flushes console output and writes the disk's cached sectors to its image;
    /// the camera indicator goes out. Returns a message for each failure.
    pub fn shutdown(&mut self) -> Result<(), String> {
        self.uart.flush();
        if self.camera.is_on() {
            let mut io = Io::new(0, &NO_RAM);
            Device::reset(&mut self.camera, &mut io);
            self.absorb(io);
        }
        if let Some(img) = &self.disk.image {
            img.flush().map_err(|e| {
                format!(
                    "could not write {} cached disk sector(s) to {}: {e}",
                    img.dirty_sectors(),
                    img.path().display()
                )
            })?;
        }
        Ok(())
    }

    /// Per-device counters.
    pub fn stats(&self) -> DeviceStats {
        DeviceStats {
            irqs: self.pic.raised,
            uart_tx: self.uart.tx_bytes,
            uart_rx: self.uart.rx_bytes,
            sectors_read: self.disk.sectors_read,
            sectors_written: self.disk.sectors_written,
            disk_flushes: self.disk.flushes,
            dma_bytes: self.disk.dma_bytes + self.camera.dma_bytes,
            frames_captured: self.camera.frames,
            key_events: self.keyboard.events,
            fb_accesses: self.fb_accesses,
            timer_fires: self.timer.fires,
            rtc_alarms: self.rtc.alarms,
        }
    }
}

/// The device state both engines must agree on (everything but host attachments).
impl PartialEq for Devices {
    fn eq(&self, o: &Self) -> bool {
        self.same_devices(o)
            && self.accesses == o.accesses
            && self.fb_accesses == o.fb_accesses
            && self.next == o.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map gives every device its own page of the MMIO window, and every line one device.
    #[test]
    fn the_bus_map_is_consistent() {
        let mut d = Devices::new(uart::Sink::None);
        let mut lines = 0u16;
        for (i, &(name, base)) in MAP.iter().enumerate() {
            assert!(
                (memmap::MMIO_BASE..memmap::MMIO_END).contains(&base),
                "{name}"
            );
            assert_eq!(base & 0xfff, 0, "{name}");
            assert!(
                MAP[..i].iter().all(|&(_, b)| b != base),
                "{name} shares a page"
            );
            let dev = d.device_at(base + 4).expect("mapped");
            if let Some(l) = dev.line() {
                assert_eq!(lines & (1 << l), 0, "line {l} twice");
                lines |= 1 << l;
            }
        }
        assert!(d.device_at(memmap::MMIO_BASE + 0xF000).is_none());
        // The register table has a block for each device, at its window.
        let blocks: Vec<(&str, u32)> = regs::TABLE.iter().map(|b| (b.module, b.base)).collect();
        assert_eq!(blocks, MAP);
    }
}

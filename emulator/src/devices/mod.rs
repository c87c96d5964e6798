//! Emulated devices, one module each, reached through the MMIO window (SPEC.md §11) and timed
//! on the cycle clock — never host time — so runs are deterministic. Each raises its interrupts
//! through the [`pic`].
//!
//! The contract with the engines: every device deadline is in [`Devices::next_event`], and
//! every device-driven state change happens in [`Devices::service`] (at an instruction boundary
//! whose cycle count has reached `next_event()`) or in a register access. Host input (serial,
//! window keys) is only looked at in `service`, on cycle-scheduled polls, and enters the
//! devices with that cycle as its time.

pub mod camera;
pub mod disk;
pub mod display;
pub mod fb;
pub mod fifo;
pub mod keyboard;
pub mod pic;
pub mod power;
pub mod rtc;
pub mod serial;
pub mod timer;
pub mod uart;

use isa_spec::cr::memmap;
use std::time::{Duration, Instant};

/// The modeled clock rate: cycles per second of guest time (RTC, frame rates, line speeds).
pub const CLOCK_HZ: u64 = 100_000_000;

const NEVER: u64 = u64::MAX;

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

/// Every device of the machine. Saved (see [`crate::state`]) without its host attachments:
/// the window, host pacing and the event schedule (recomputed).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Devices {
    /// Interrupt controller.
    pub pic: pic::Pic,
    /// Timer.
    pub timer: timer::Timer,
    /// Console UART.
    pub uart: uart::Uart,
    /// Power/reset controller.
    pub power: power::Power,
    /// Block device.
    pub disk: disk::Disk,
    /// Framebuffer (video memory and FBCTL).
    pub fb: fb::Framebuffer,
    /// Keyboard.
    pub keyboard: keyboard::Keyboard,
    /// Real-time clock.
    pub rtc: rtc::Rtc,
    /// Camera.
    pub camera: camera::Camera,
    /// Device register accesses (for `--stats`).
    pub accesses: u64,
    /// Framebuffer memory accesses (for `--stats`).
    pub fb_accesses: u64,
    /// The host window, when there is one.
    #[serde(skip)]
    pub display: Option<display::Display>,
    /// Set when the person at the console asked the emulator to quit (`Ctrl-A x`, closing the
    /// window): the machine then powers off with code 0 and no device event follows.
    #[serde(skip)]
    pub quit: bool,
    #[serde(skip, default = "never")]
    pub(crate) refresh_at: u64,
    #[serde(skip)]
    last_show: Option<Instant>,
    #[serde(skip)]
    pacer: Pacer,
    #[serde(skip, default = "never")]
    next: u64,
    #[serde(skip)]
    stall: u64,
}

impl Devices {
    /// Devices in their reset state, the UART writing to `sink`; no disk, no window, the RTC
    /// at [`rtc::DEFAULT_BASE`].
    pub fn new(sink: uart::Sink) -> Devices {
        let mut d = Devices {
            pic: pic::Pic::default(),
            timer: timer::Timer::new(),
            uart: uart::Uart::new(sink),
            power: power::Power::default(),
            disk: disk::Disk::new(),
            fb: fb::Framebuffer::new(),
            keyboard: keyboard::Keyboard::new(),
            rtc: rtc::Rtc::default(),
            camera: camera::Camera::new(),
            accesses: 0,
            fb_accesses: 0,
            display: None,
            quit: false,
            refresh_at: NEVER,
            last_show: None,
            pacer: Pacer::default(),
            next: NEVER,
            stall: 0,
        };
        d.update();
        d
    }

    /// Attaches a disk image.
    pub fn attach_disk(&mut self, image: disk::Image) {
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
        let off = addr & 0xfff;
        let v = match addr & !0xfff {
            memmap::PIC => self.pic.read(off),
            memmap::TIMER => self.timer.read(off, now),
            memmap::UART => self.uart.read(off, now),
            memmap::DISK => self.disk.read(off),
            memmap::FBCTL => self.fb.read(off, now),
            memmap::KEYBOARD => self.keyboard.read(off),
            memmap::RTC => self.rtc.read(off, now),
            memmap::POWER => self.power.read(off),
            memmap::CAMERA => self.camera.read(off),
            _ => None,
        };
        self.update();
        v
    }

    /// Writes the 32-bit register at physical `addr` at cycle `now` (the writing instruction's
    /// retire time); `ram` is guest RAM, for DMA reads. `None` = bus error. Afterwards the
    /// machine takes [`Devices::take_stall`] and performs [`Devices::take_dma`].
    pub fn write(&mut self, addr: u32, value: u32, now: u64, ram: &[u8]) -> Option<()> {
        self.accesses += 1;
        let off = addr & 0xfff;
        let r = match addr & !0xfff {
            memmap::PIC => self.pic.write(off, value),
            memmap::TIMER => self.timer.write(off, value, now),
            memmap::UART => self.uart.write(off, value, now).map(|w| self.stall += w),
            memmap::DISK => self.disk.write(off, value, now, ram),
            memmap::FBCTL => self.fb.write(off, value),
            memmap::KEYBOARD => self.keyboard.write(off, value),
            memmap::RTC => self.rtc.write(off, value),
            memmap::POWER => self.power.write(off, value),
            memmap::CAMERA => self.camera.write(off, value, now, ram.len()),
            _ => None,
        };
        self.update();
        r
    }

    /// Wait states the last register write added to its instruction (a UART `DATA` write to a
    /// full FIFO).
    pub fn take_stall(&mut self) -> u64 {
        std::mem::take(&mut self.stall)
    }

    /// DMA writes into RAM the devices have asked for: (physical address, bytes), each already
    /// checked to lie inside RAM. The machine performs them, invalidating translated code.
    pub fn take_dma(&mut self) -> Vec<(u32, Vec<u8>)> {
        let mut v = std::mem::take(&mut self.disk.dma_out);
        v.append(&mut self.camera.dma_out);
        v
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

    /// The next cycle at which a device needs attention.
    #[inline]
    pub fn next_event(&self) -> u64 {
        self.next
    }

    /// Runs device events due at `now` (called at instruction boundaries).
    pub fn service(&mut self, now: u64) {
        if now >= self.timer.deadline && self.timer.fire(now) {
            self.pic.raise(timer::LINE);
        }
        let mut host_polled = self.uart.service(now);
        self.disk.service(now);
        self.camera.service(now);
        self.rtc.service(now);
        self.keyboard.service(now);
        if now >= self.refresh_at {
            self.refresh(now);
            host_polled = true;
        }
        let host_events = std::mem::take(&mut self.uart.events);
        for ev in host_events {
            match ev {
                serial::HostEvent::Quit => self.request_quit(),
                serial::HostEvent::FlushDisks => {
                    if let Some(img) = &self.disk.image {
                        match img.flush() {
                            Ok(()) => {
                                eprint!("ringfort: disk written to {}\r\n", img.path().display())
                            }
                            Err(e) => eprint!(
                                "ringfort: error: cannot write {}: {e}\r\n",
                                img.path().display()
                            ),
                        }
                    }
                }
            }
        }
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
        if self.uart.take_irq() {
            self.pic.raise(uart::LINE);
        }
        if self.disk.take_irq() {
            self.pic.raise(disk::LINE);
        }
        if self.keyboard.take_irq() {
            self.pic.raise(keyboard::LINE);
        }
        if self.camera.take_irq() {
            self.pic.raise(camera::LINE);
        }
        if self.rtc.take_irq() {
            self.pic.raise(rtc::LINE);
        }
        self.next = if self.quit {
            NEVER
        } else {
            self.timer
                .deadline
                .min(self.uart.next_event())
                .min(self.disk.next_event())
                .min(self.camera.next_event())
                .min(self.rtc.next_event())
                .min(self.keyboard.next_event())
                .min(self.refresh_at)
        };
    }

    /// Reset (SPEC §13): every device to its reset state; host attachments (serial back end,
    /// disk image, window), video memory and queued input stay. `elapsed` is the cycle count
    /// before the reset (the counter restarts at 0).
    pub fn reset(&mut self, elapsed: u64) {
        self.pic = pic::Pic {
            raised: self.pic.raised,
            ..pic::Pic::default()
        };
        let fires = self.timer.fires;
        self.timer = timer::Timer::new();
        self.timer.fires = fires;
        self.uart.reset(elapsed);
        self.power = power::Power::default();
        self.disk.reset();
        self.fb.reset();
        self.keyboard.reset(elapsed);
        self.rtc.reset(elapsed);
        self.camera.reset(elapsed);
        if self.refresh_at != NEVER {
            self.refresh_at = 0;
        }
        self.pacer = Pacer::default();
        self.stall = 0;
        self.update();
    }

    /// Clean exit: flushes console output and writes the disk's cached sectors to its image;
    /// the camera indicator goes out. Returns a message for each failure.
    pub fn shutdown(&mut self) -> Result<(), String> {
        self.uart.flush();
        if self.camera.is_on() {
            self.camera.reset(0);
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
        self.pic == o.pic
            && self.timer == o.timer
            && self.uart == o.uart
            && self.power == o.power
            && self.disk == o.disk
            && self.fb == o.fb
            && self.keyboard == o.keyboard
            && self.rtc == o.rtc
            && self.camera == o.camera
            && self.accesses == o.accesses
            && self.fb_accesses == o.fb_accesses
            && self.next == o.next
    }
}

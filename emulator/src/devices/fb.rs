//! Framebuffer: 16 MiB of video memory at `FB_BASE` (any access width, ring <= IOPL) and its
//! control registers at `FBCTL` (SPEC.md §11.8): geometry, pixel mode (32-bit XRGB or 8-bit
//! palette), scan-out offset, palette, display enable, frame counter.
//!
//! Video memory is allocated as the guest touches it (reads of untouched memory are 0), so an
//! idle framebuffer costs nothing and machine snapshots stay small.

use super::regs::fb as reg;
use super::CLOCK_HZ;
use crate::bus::{Device, Io};
use isa_spec::cr::memmap;
use std::io;
use std::path::Path;

/// Default and reset width.
pub const DEFAULT_WIDTH: u32 = 640;
/// Default and reset height.
pub const DEFAULT_HEIGHT: u32 = 480;
/// Largest width and height.
pub const MAX_DIM: u32 = 2048;
/// Cycles per displayed frame (60 Hz at the modeled clock).
pub const FRAME_CYCLES: u64 = CLOCK_HZ / 60;
/// MODE 0: 32 bits per pixel, little-endian word `0x00RRGGBB`.
pub const MODE_XRGB8888: u32 = 0;
/// MODE 1: 8 bits per pixel, an index into the 256-entry palette.
pub const MODE_INDEXED8: u32 = 1;

/// Allocation granule of video memory.
const CHUNK: usize = 64 << 10;

/// The framebuffer device.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Framebuffer {
    /// Video memory touched so far (the rest of the window reads as 0).
    mem: Vec<u8>,
    /// WIDTH register.
    pub width: u32,
    /// HEIGHT register.
    pub height: u32,
    /// MODE register.
    pub mode: u32,
    /// OFFSET register: where scan-out starts in video memory.
    pub offset: u32,
    /// PAL_INDEX register.
    pub pal_index: u32,
    /// The palette, `0x00RRGGBB` per entry.
    #[serde(with = "crate::state::boxed_array")]
    pub palette: Box<[u32; 256]>,
    /// CTRL register (bit 0: display enabled).
    pub ctrl: u32,
    /// Bytes of video memory the guest wrote.
    pub bytes_written: u64,
}

/// The reset palette: entry i is the grey `i·0x010101`.
fn default_palette() -> Box<[u32; 256]> {
    let mut p = Box::new([0u32; 256]);
    for (i, e) in p.iter_mut().enumerate() {
        *e = i as u32 * 0x01_01_01;
    }
    p
}

impl Default for Framebuffer {
    fn default() -> Self {
        Framebuffer::new()
    }
}

impl Framebuffer {
    /// A framebuffer in its reset state with blank memory.
    pub fn new() -> Framebuffer {
        Framebuffer {
            mem: Vec::new(),
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            mode: MODE_XRGB8888,
            offset: 0,
            pal_index: 0,
            palette: default_palette(),
            ctrl: 1,
            bytes_written: 0,
        }
    }

    /// Bytes per pixel in the current mode.
    pub fn bytes_per_pixel(&self) -> u32 {
        if self.mode == MODE_INDEXED8 {
            1
        } else {
            4
        }
    }

    /// Bytes per line.
    pub fn pitch(&self) -> u32 {
        self.width * self.bytes_per_pixel()
    }

    /// Reads `size` bytes (1, 2 or 4, aligned) of video memory at `off` (< FB_SIZE).
    pub fn read_mem(&self, off: u32, size: u32) -> u32 {
        let o = off as usize;
        let mut v = 0u32;
        for i in 0..size as usize {
            v |= (*self.mem.get(o + i).unwrap_or(&0) as u32) << (8 * i);
        }
        v
    }

    /// Writes the low `size` bytes of `value` at `off` (< FB_SIZE).
    pub fn write_mem(&mut self, off: u32, size: u32, value: u32) {
        let end = off as usize + size as usize;
        if end > self.mem.len() {
            let want = end.div_ceil(CHUNK) * CHUNK;
            self.mem.resize(want.min(memmap::FB_SIZE as usize), 0);
        }
        for i in 0..size as usize {
            self.mem[off as usize + i] = (value >> (8 * i)) as u8;
        }
        self.bytes_written += size as u64;
    }

    /// FBCTL register read at cycle `now`.
    pub fn read(&self, offset: u32, now: u64) -> Option<u32> {
        Some(match offset {
            reg::WIDTH => self.width,
            reg::HEIGHT => self.height,
            reg::MODE => self.mode,
            reg::PITCH => self.pitch(),
            reg::OFFSET => self.offset,
            reg::PAL_INDEX => self.pal_index,
            reg::PAL_DATA => self.palette[self.pal_index as usize & 255],
            reg::CTRL => self.ctrl,
            reg::FRAMES => (now / FRAME_CYCLES) as u32,
            reg::SIZE => memmap::FB_SIZE,
            _ => return None,
        })
    }

    /// FBCTL register write.
    pub fn write(&mut self, offset: u32, value: u32) -> Option<()> {
        match offset {
            reg::WIDTH => self.width = value.clamp(1, MAX_DIM),
            reg::HEIGHT => self.height = value.clamp(1, MAX_DIM),
            reg::MODE => {
                if value == MODE_XRGB8888 || value == MODE_INDEXED8 {
                    self.mode = value;
                }
            }
            reg::OFFSET => self.offset = value & (memmap::FB_SIZE - 1) & !3,
            reg::PAL_INDEX => self.pal_index = value & 255,
            reg::PAL_DATA => {
                self.palette[self.pal_index as usize] = value & 0x00FF_FFFF;
                self.pal_index = (self.pal_index + 1) & 255;
            }
            reg::CTRL => self.ctrl = value & 1,
            reg::PITCH | reg::FRAMES | reg::SIZE => {}
            _ => return None,
        }
        Some(())
    }

    /// The picture being displayed: `(width, height, pixels)` with pixels `0x00RRGGBB`, row by
    /// row. Black when the display is disabled; memory past the end of the window reads 0.
    pub fn render(&self) -> (u32, u32, Vec<u32>) {
        let (w, h) = (self.width, self.height);
        let mut px = vec![0u32; w as usize * h as usize];
        if self.ctrl & 1 == 0 {
            return (w, h, px);
        }
        let pitch = self.pitch() as u64;
        for y in 0..h as u64 {
            let line = self.offset as u64 + y * pitch;
            let row = &mut px[(y * w as u64) as usize..((y + 1) * w as u64) as usize];
            for (x, p) in row.iter_mut().enumerate() {
                let x = x as u64;
                *p = if self.mode == MODE_INDEXED8 {
                    let a = line + x;
                    let idx = self.byte(a);
                    self.palette[idx as usize]
                } else {
                    let a = line + 4 * x;
                    (self.byte(a) as u32
                        | (self.byte(a + 1) as u32) << 8
                        | (self.byte(a + 2) as u32) << 16)
                        & 0x00FF_FFFF
                };
            }
        }
        (w, h, px)
    }

    fn byte(&self, a: u64) -> u8 {
        if a >= memmap::FB_SIZE as u64 {
            return 0;
        }
        *self.mem.get(a as usize).unwrap_or(&0)
    }

    /// Writes the displayed picture to `path` as an RGB PNG (through a temporary file renamed
    /// into place, so a failed write never leaves a half-written picture).
    pub fn save_png(&self, path: &Path) -> io::Result<()> {
        let (w, h, px) = self.render();
        let mut rgb = Vec::with_capacity(px.len() * 3);
        for p in px {
            rgb.extend_from_slice(&[(p >> 16) as u8, (p >> 8) as u8, p as u8]);
        }
        crate::files::write_atomic(path, |f| {
            let mut enc = png::Encoder::new(io::BufWriter::new(f), w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().map_err(io::Error::other)?;
            wr.write_image_data(&rgb).map_err(io::Error::other)?;
            wr.finish().map_err(io::Error::other)
        })
    }
}

impl Device for Framebuffer {
    fn name(&self) -> &'static str {
        "framebuffer"
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, io: &mut Io) -> Option<u32> {
        self.read(offset, io.now)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, _io: &mut Io) -> Option<()> {
        self.write(offset, value)
    }

    /// Reset: registers and palette to their reset values; video memory keeps its contents.
    fn reset(&mut self, _io: &mut Io) {
        let mem = std::mem::take(&mut self.mem);
        let written = self.bytes_written;
        *self = Framebuffer::new();
        self.mem = mem;
        self.bytes_written = written;
    }

    /// Refuses a restored framebuffer whose registers or memory no register write could have
    /// made (a damaged state): rendering and palette writes rely on them.
    fn check(&self) -> Result<(), String> {
        if !(1..=MAX_DIM).contains(&self.width) || !(1..=MAX_DIM).contains(&self.height) {
            return Err(format!("of {}x{} pixels", self.width, self.height));
        }
        if self.mode != MODE_XRGB8888 && self.mode != MODE_INDEXED8 {
            return Err(format!("in mode {}", self.mode));
        }
        if self.pal_index > 255 || self.offset >= memmap::FB_SIZE {
            return Err("with a register out of range".into());
        }
        if self.mem.len() > memmap::FB_SIZE as usize {
            return Err(format!("with {} bytes of video memory", self.mem.len()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_both_modes() {
        let mut fb = Framebuffer::new();
        fb.write(0x00, 4);
        fb.write(0x04, 2);
        fb.write_mem(4, 4, 0x00FF_0000);
        fb.write_mem(28, 4, 0x1234_5678);
        let (w, h, px) = fb.render();
        assert_eq!((w, h), (4, 2));
        assert_eq!(px[1], 0xFF0000);
        assert_eq!(px[7], 0x345678);
        fb.write(0x08, MODE_INDEXED8);
        fb.write(0x14, 7);
        fb.write(0x18, 0x00AB_CDEF);
        assert_eq!(fb.read(0x14, 0), Some(8));
        fb.write_mem(0, 1, 7);
        let (_, _, px) = fb.render();
        assert_eq!(px[0], 0xABCDEF);
        assert_eq!(px[1], 0); // byte 1 = 0 -> palette[0] = black
        assert_eq!(fb.read_mem(4, 4), 0x00FF_0000);
        assert_eq!(fb.read_mem(0x00F0_0000, 4), 0);
    }
}

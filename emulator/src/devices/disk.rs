//! Block device (line 2): a disk of 512-byte sectors backed by a host image file, with DMA to
//! and from guest RAM, a completion interrupt after a modeled latency, and a flush command.
//!
//! Registers: [`super::regs::disk`] (SPEC.md §11.7).
//!
//! Data path: sectors the guest writes are kept in memory and reach the image file at the
//! guest's `FLUSH` command, at `Ctrl-A s`, and when the machine is dropped (clean exit). A
//! read-only image is opened read-only and never written. Every command is checked in full
//! (sector range, DMA range inside RAM, medium writable) before anything moves, so a failed
//! command changes nothing.

use super::regs::disk as reg;
use crate::bus::{Device, Io};
use crate::host::{Notice, Notices};
use crate::ram::Ram;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Interrupt line of the disk.
pub const LINE: u8 = 2;
/// Bytes per sector.
pub const SECTOR_SIZE: usize = 512;
/// Most sectors one command may transfer.
pub const MAX_COUNT: u32 = 256;
/// Written sectors the host caches before writing them back to the image (16 MiB): a guest
/// writing a large disk costs bounded memory.
pub const MAX_DIRTY_SECTORS: usize = 32 << 10;
/// Cycles every command takes before it completes.
pub const COMMAND_CYCLES: u64 = 10_000;
/// Extra cycles per sector transferred.
pub const SECTOR_CYCLES: u64 = 500;
/// Extra cycles a flush takes.
pub const FLUSH_CYCLES: u64 = 20_000;

/// CMD values.
pub mod cmd {
    /// Read COUNT sectors from SECTOR into RAM at ADDR.
    pub const READ: u32 = 1;
    /// Write COUNT sectors from RAM at ADDR to SECTOR.
    pub const WRITE: u32 = 2;
    /// Make every completed write durable in the image file.
    pub const FLUSH: u32 = 3;
}

/// ERROR codes.
pub mod err {
    /// No error.
    pub const NONE: u32 = 0;
    /// CMD value not defined.
    pub const BAD_COMMAND: u32 = 1;
    /// SECTOR + COUNT beyond the end of the disk.
    pub const OUT_OF_RANGE: u32 = 2;
    /// The DMA buffer [ADDR, ADDR + 512·COUNT) is not entirely in RAM.
    pub const BAD_ADDRESS: u32 = 3;
    /// WRITE to a read-only disk.
    pub const READ_ONLY: u32 = 4;
    /// No image attached.
    pub const NO_MEDIUM: u32 = 5;
    /// COUNT is 0 or more than [`super::MAX_COUNT`].
    pub const BAD_COUNT: u32 = 6;
    /// The host could not read or write the image file.
    pub const IO: u32 = 7;
}

/// STATUS bit 0: a command is in progress.
pub const ST_BUSY: u32 = 1;
/// STATUS bit 1: the last command has completed (cleared by ACK or the next command).
pub const ST_DONE: u32 = 2;
/// STATUS bit 2: the last command failed; ERROR says why.
pub const ST_ERROR: u32 = 4;
/// STATUS bit 3: an image is attached.
pub const ST_PRESENT: u32 = 8;
/// STATUS bit 4: the image is read-only.
pub const ST_READONLY: u32 = 16;

/// Where a disk's sectors live on the host.
enum Backing {
    /// An image file.
    File(File),
    /// Bytes in memory, never written to any file (a built-in disk).
    Memory(Vec<u8>),
}

impl Backing {
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        match self {
            Backing::File(f) => f.read_exact_at(buf, at),
            Backing::Memory(m) => {
                let src = usize::try_from(at)
                    .ok()
                    .and_then(|a| m.get(a..a.checked_add(buf.len())?))
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(src);
                Ok(())
            }
        }
    }

    fn write_all_at(&mut self, data: &[u8], at: u64) -> io::Result<()> {
        match self {
            Backing::File(f) => f.write_all_at(data, at),
            Backing::Memory(m) => {
                let dst = usize::try_from(at)
                    .ok()
                    .and_then(|a| m.get_mut(a..a.checked_add(data.len())?))
                    .ok_or_else(|| io::Error::from(io::ErrorKind::WriteZero))?;
                dst.copy_from_slice(data);
                Ok(())
            }
        }
    }

    fn sync_data(&self) -> io::Result<()> {
        match self {
            Backing::File(f) => f.sync_data(),
            Backing::Memory(_) => Ok(()),
        }
    }
}

/// The host side of a disk: an image file (or memory) and the sectors written since the last
/// flush.
struct Store {
    file: Backing,
    path: PathBuf,
    readonly: bool,
    dirty: BTreeMap<u64, Box<[u8; SECTOR_SIZE]>>,
    /// Where a failed write-back at close is reported (the machine the image is attached to).
    notices: Option<Notices>,
}

impl Store {
    fn flush(&mut self) -> io::Result<()> {
        if self.readonly || self.dirty.is_empty() {
            return Ok(());
        }
        // Write runs of consecutive sectors with one call each; keep the cache until the data
        // is durable, so a failed flush loses nothing (the next flush retries).
        let mut run: Vec<u8> = Vec::new();
        let mut run_start = 0u64;
        let mut next = None;
        for (&s, data) in &self.dirty {
            if next != Some(s) {
                if !run.is_empty() {
                    self.file
                        .write_all_at(&run, run_start * SECTOR_SIZE as u64)?;
                    run.clear();
                }
                run_start = s;
            }
            run.extend_from_slice(&data[..]);
            next = Some(s + 1);
        }
        if !run.is_empty() {
            self.file
                .write_all_at(&run, run_start * SECTOR_SIZE as u64)?;
        }
        self.file.sync_data()?;
        self.dirty.clear();
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            if let Some(n) = &self.notices {
                n.push(Notice::DiskLost {
                    sectors: self.dirty.len(),
                    path: self.path.clone(),
                    error: e.to_string(),
                });
            }
        }
    }
}

/// A disk image file, shared by machine snapshots. The cached writes reach the file at
/// [`Image::flush`] and when the last handle is dropped.
#[derive(Clone)]
pub struct Image {
    store: Arc<Mutex<Store>>,
    sectors: u64,
    readonly: bool,
    path: PathBuf,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Image({}, {} sectors{})",
            self.path.display(),
            self.sectors,
            if self.readonly { ", read-only" } else { "" }
        )
    }
}

impl Image {
    /// Opens an image file. Refuses (with a message naming the file) one that is missing,
    /// not a regular file, empty, not a whole number of 512-byte sectors, or in use by
    /// another ringfort.
    pub fn open(path: &Path, readonly: bool) -> Result<Image, String> {
        let name = path.display();
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                format!(
                    "disk image {name} does not exist (create one with `ringfort mkdisk {name} \
                     --size 1M`)"
                )
            } else {
                format!("disk image {name}: {e}")
            }
        })?;
        if !meta.is_file() {
            return Err(format!("disk image {name} is not a regular file"));
        }
        let len = meta.len();
        if len == 0 {
            return Err(format!("disk image {name} is empty"));
        }
        if !len.is_multiple_of(SECTOR_SIZE as u64) {
            return Err(format!(
                "disk image {name} is {len} bytes, not a whole number of {SECTOR_SIZE}-byte \
                 sectors (truncated, or not a disk image)"
            ));
        }
        let sectors = len / SECTOR_SIZE as u64;
        if sectors > u32::MAX as u64 {
            return Err(format!("disk image {name} is too large (at most 2 TiB)"));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(!readonly)
            .open(path)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::PermissionDenied && !readonly {
                    format!("disk image {name} is not writable ({e}); add readonly=on")
                } else {
                    format!("disk image {name}: {e}")
                }
            })?;
        let op = if readonly {
            libc::LOCK_SH
        } else {
            libc::LOCK_EX
        };
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), op | libc::LOCK_NB) } != 0 {
            return Err(format!(
                "disk image {name} is in use by another program (could not lock it)"
            ));
        }
        Ok(Image {
            store: Arc::new(Mutex::new(Store {
                file: Backing::File(file),
                path: path.to_path_buf(),
                readonly,
                dirty: BTreeMap::new(),
                notices: None,
            })),
            sectors,
            readonly,
            path: path.to_path_buf(),
        })
    }

    /// A disk held in memory: `bytes` (a non-empty whole number of sectors) are its contents,
    /// `name` says what it is in messages. The guest may write it; nothing reaches any file,
    /// and the changes are gone with the machine.
    pub fn in_memory(name: &str, bytes: Vec<u8>) -> Result<Image, String> {
        let len = bytes.len() as u64;
        if len == 0 || !len.is_multiple_of(SECTOR_SIZE as u64) {
            return Err(format!(
                "disk {name} is {len} bytes, not a whole, non-zero number of {SECTOR_SIZE}-byte \
                 sectors"
            ));
        }
        let sectors = len / SECTOR_SIZE as u64;
        if sectors > u32::MAX as u64 {
            return Err(format!("disk {name} is too large (at most 2 TiB)"));
        }
        Ok(Image {
            store: Arc::new(Mutex::new(Store {
                file: Backing::Memory(bytes),
                path: PathBuf::from(name),
                readonly: false,
                dirty: BTreeMap::new(),
                notices: None,
            })),
            sectors,
            readonly: false,
            path: PathBuf::from(name),
        })
    }

    /// Whether the disk is held in memory ([`Image::in_memory`]) rather than in a file.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.store().file, Backing::Memory(_))
    }

    /// The disk's contents now, written sectors included (reads the whole disk).
    pub fn contents(&self) -> io::Result<Vec<u8>> {
        let count =
            u32::try_from(self.sectors).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
        self.read(0, count)
    }

    /// Reports a failed write-back when the last handle is dropped to `notices`.
    pub fn report_to(&self, notices: &Notices) {
        self.store().notices = Some(notices.clone());
    }

    /// Sectors on the disk.
    pub fn sectors(&self) -> u64 {
        self.sectors
    }

    /// Whether the image is read-only.
    pub fn readonly(&self) -> bool {
        self.readonly
    }

    /// The image file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads `count` sectors from `first` (cached writes included). The range must be valid.
    pub fn read(&self, first: u64, count: u32) -> io::Result<Vec<u8>> {
        let st = self.store();
        let mut buf = vec![0u8; count as usize * SECTOR_SIZE];
        st.file
            .read_exact_at(&mut buf, first * SECTOR_SIZE as u64)?;
        for (&s, data) in st.dirty.range(first..first + count as u64) {
            let o = (s - first) as usize * SECTOR_SIZE;
            buf[o..o + SECTOR_SIZE].copy_from_slice(&data[..]);
        }
        Ok(buf)
    }

    /// Caches whole sectors written at `first` (`data.len()` a multiple of 512, range valid,
    /// image writable). A cache holding [`MAX_DIRTY_SECTORS`] is written back to the file
    /// first; if that fails, the data is refused (an error) rather than cached without bound.
    pub fn write(&self, first: u64, data: &[u8]) -> io::Result<()> {
        let mut st = self.store();
        if st.dirty.len() >= MAX_DIRTY_SECTORS {
            st.flush()?;
        }
        for (i, chunk) in data.chunks_exact(SECTOR_SIZE).enumerate() {
            let mut b = Box::new([0u8; SECTOR_SIZE]);
            b.copy_from_slice(chunk);
            st.dirty.insert(first + i as u64, b);
        }
        Ok(())
    }

    /// Writes the cached sectors to the file and syncs it.
    pub fn flush(&self) -> io::Result<()> {
        self.store().flush()
    }

    /// Sectors written and not yet flushed.
    pub fn dirty_sectors(&self) -> usize {
        self.store().dirty.len()
    }
}

/// The disk controller. Its image (a host file) is not part of a saved state.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Disk {
    /// The attached image.
    #[serde(skip)]
    pub image: Option<Image>,
    /// SECTOR register.
    pub sector: u32,
    /// COUNT register.
    pub count: u32,
    /// ADDR register.
    pub addr: u32,
    /// CTRL register (bit 0: completion interrupt enable).
    pub ctrl: u32,
    busy: bool,
    done: bool,
    error: u32,
    /// Error the in-progress command will report.
    result: u32,
    /// When the in-progress command completes.
    done_at: u64,
    irq: bool,
    /// RAM writes (physical address, bytes) the machine must perform (DMA of a READ; empty
    /// between instructions, so never saved).
    #[serde(skip)]
    pub(crate) dma_out: Vec<(u32, Vec<u8>)>,
    /// Commands accepted.
    pub commands: u64,
    /// Sectors read by the guest.
    pub sectors_read: u64,
    /// Sectors written by the guest.
    pub sectors_written: u64,
    /// Bytes moved by DMA.
    pub dma_bytes: u64,
    /// Flush commands.
    pub flushes: u64,
    /// Commands that ended in an error.
    pub errors: u64,
}

impl Default for Disk {
    fn default() -> Self {
        Disk::new()
    }
}

impl Disk {
    /// A controller with no medium.
    pub fn new() -> Disk {
        Disk {
            image: None,
            sector: 0,
            count: 0,
            addr: 0,
            ctrl: 0,
            busy: false,
            done: false,
            error: 0,
            result: 0,
            done_at: u64::MAX,
            irq: false,
            dma_out: Vec::new(),
            commands: 0,
            sectors_read: 0,
            sectors_written: 0,
            dma_bytes: 0,
            flushes: 0,
            errors: 0,
        }
    }

    /// STATUS as it reads now.
    pub fn status(&self) -> u32 {
        let mut s = 0;
        if self.busy {
            s |= ST_BUSY;
        }
        if self.done {
            s |= ST_DONE;
        }
        if self.error != err::NONE {
            s |= ST_ERROR;
        }
        if let Some(img) = &self.image {
            s |= ST_PRESENT;
            if img.readonly() {
                s |= ST_READONLY;
            }
        }
        s
    }

    /// Register read.
    pub fn read(&self, offset: u32) -> Option<u32> {
        Some(match offset {
            reg::CMD | reg::ACK => 0,
            reg::STATUS => self.status(),
            reg::ERROR => self.error,
            reg::SECTOR => self.sector,
            reg::COUNT => self.count,
            reg::ADDR => self.addr,
            reg::CTRL => self.ctrl,
            reg::CAPACITY => self.image.as_ref().map_or(0, |i| i.sectors() as u32),
            _ => return None,
        })
    }

    /// Register write at cycle `now`; `ram` is guest RAM (for the DMA of a WRITE).
    pub fn write(&mut self, offset: u32, value: u32, now: u64, ram: &Ram) -> Option<()> {
        match offset {
            reg::CMD => self.command(value, now, ram),
            reg::STATUS | reg::ERROR | reg::CAPACITY => {}
            reg::SECTOR => self.sector = value,
            reg::COUNT => self.count = value,
            reg::ADDR => self.addr = value,
            reg::CTRL => self.ctrl = value & 1,
            reg::ACK => {
                if value & 1 != 0 {
                    self.done = false;
                    self.error = err::NONE;
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// Ends a command: at once for an error found before anything moved, else at `done_at`.
    fn finish(&mut self, error: u32) {
        self.busy = false;
        self.done = true;
        self.error = error;
        self.done_at = u64::MAX;
        if error != err::NONE {
            self.errors += 1;
        }
        if self.ctrl & 1 != 0 {
            self.irq = true;
        }
    }

    fn command(&mut self, cmd: u32, now: u64, ram: &Ram) {
        if self.busy {
            return; // ignored while busy (SPEC)
        }
        self.done = false;
        self.error = err::NONE;
        self.commands += 1;
        match self.check(cmd, ram) {
            Err(e) => self.finish(e),
            Ok(()) => {
                let latency = self.start(cmd, ram);
                self.busy = true;
                self.done_at = now + latency;
            }
        }
    }

    /// Validates a command completely before anything moves.
    fn check(&self, cmd: u32, ram: &Ram) -> Result<(), u32> {
        if !matches!(cmd, cmd::READ | cmd::WRITE | cmd::FLUSH) {
            return Err(err::BAD_COMMAND);
        }
        let Some(img) = &self.image else {
            return Err(err::NO_MEDIUM);
        };
        if cmd == cmd::FLUSH {
            return Ok(());
        }
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(err::BAD_COUNT);
        }
        if self.sector as u64 + self.count as u64 > img.sectors() {
            return Err(err::OUT_OF_RANGE);
        }
        let len = self.count as u64 * SECTOR_SIZE as u64;
        if self.addr as u64 + len > ram.len() as u64 {
            return Err(err::BAD_ADDRESS);
        }
        if cmd == cmd::WRITE && img.readonly() {
            return Err(err::READ_ONLY);
        }
        Ok(())
    }

    /// Performs a checked command's transfer; returns its latency.
    fn start(&mut self, cmd: u32, ram: &Ram) -> u64 {
        let Some(img) = &self.image else {
            self.result = err::NO_MEDIUM;
            return 0;
        };
        self.result = err::NONE;
        let n = self.count as u64;
        let len = n as usize * SECTOR_SIZE;
        match cmd {
            cmd::READ => {
                match img.read(self.sector as u64, self.count) {
                    Ok(data) => {
                        self.dma_out.push((self.addr, data));
                        self.sectors_read += n;
                        self.dma_bytes += len as u64;
                    }
                    Err(_) => self.result = err::IO,
                }
                COMMAND_CYCLES + n * SECTOR_CYCLES
            }
            cmd::WRITE => {
                let data = ram.bytes(self.addr, len).expect("checked: in RAM");
                if img.write(self.sector as u64, &data).is_err() {
                    self.result = err::IO;
                    return COMMAND_CYCLES + n * SECTOR_CYCLES;
                }
                self.sectors_written += n;
                self.dma_bytes += len as u64;
                COMMAND_CYCLES + n * SECTOR_CYCLES
            }
            _ => {
                self.flushes += 1;
                if img.flush().is_err() {
                    self.result = err::IO;
                }
                COMMAND_CYCLES + FLUSH_CYCLES
            }
        }
    }
}

impl Device for Disk {
    fn name(&self) -> &'static str {
        "disk"
    }

    fn line(&self) -> Option<u8> {
        Some(LINE)
    }

    fn mmio_read(&mut self, offset: u32, _size: u32, _io: &mut Io) -> Option<u32> {
        self.read(offset)
    }

    fn mmio_write(&mut self, offset: u32, _size: u32, value: u32, io: &mut Io) -> Option<()> {
        let r = self.write(offset, value, io.now, io.ram);
        io.dma.append(&mut self.dma_out);
        r
    }

    /// When the command in progress completes.
    fn next_event(&self) -> u64 {
        self.done_at
    }

    /// Device events due at `now`: completion of the command in progress.
    fn service(&mut self, io: &mut Io) {
        if self.busy && io.now >= self.done_at {
            let r = self.result;
            self.finish(r);
        }
    }

    /// Takes the pending interrupt request.
    fn take_irq(&mut self) -> bool {
        std::mem::take(&mut self.irq)
    }

    /// Reset: registers cleared; a command in progress completes silently (its data has
    /// already moved).
    fn reset(&mut self, _io: &mut Io) {
        let image = self.image.take();
        *self = Disk {
            image,
            commands: self.commands,
            sectors_read: self.sectors_read,
            sectors_written: self.sectors_written,
            dma_bytes: self.dma_bytes,
            flushes: self.flushes,
            errors: self.errors,
            ..Disk::new()
        };
    }

    /// Keeps the machine's image (the disk's contents live there, not in the state).
    fn adopt_host(&mut self, old: &mut Self, _io: &mut Io) {
        self.image = old.image.take();
    }
}

/// The register state both engines must agree on.
impl PartialEq for Disk {
    fn eq(&self, o: &Self) -> bool {
        (
            self.sector,
            self.count,
            self.addr,
            self.ctrl,
            self.busy,
            self.done,
            self.error,
            self.result,
            self.done_at,
        ) == (
            o.sector, o.count, o.addr, o.ctrl, o.busy, o.done, o.error, o.result, o.done_at,
        ) && (
            self.commands,
            self.sectors_read,
            self.sectors_written,
            self.dma_bytes,
            self.flushes,
            self.errors,
        ) == (
            o.commands,
            o.sectors_read,
            o.sectors_written,
            o.dma_bytes,
            o.flushes,
            o.errors,
        )
    }
}

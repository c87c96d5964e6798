//! RFFS, the small flat filesystem of Ringfort disk images (docs/disk-format.md): build an
//! image from files ([`build`], [`build_head`]), read its directory ([`list`],
//! [`read_layout`]) and its files ([`read_file`]).
//!
//! An image is 512-byte sectors: a superblock in sector 0, the directory from sector
//! `dir_start` (32-byte entries, the entries in use first), then file data. Every file is
//! one contiguous extent; the guest OS may create, grow and delete files, so extents may lie
//! anywhere between `data_start` and `total_sectors`, in any order, with holes between them.
//! Readers here check each entry on its own (its extent inside the data area, no two extents
//! overlapping) and report a bad image as an [`Error`] naming the entry, never a panic; they
//! allocate no more than the image they are given.
//!
//! ```
//! let files = vec![("hello.txt".to_string(), b"hello\n".to_vec())];
//! let img = rffs::build(&files, None, rffs::DEFAULT_ENTRIES).unwrap();
//! assert_eq!(rffs::list(&img).unwrap()[0].name, "hello.txt");
//! assert_eq!(rffs::read_file(&img, "hello.txt").unwrap(), b"hello\n");
//! ```

#![warn(missing_docs)]

mod make;
mod read;

pub use make::{build, build_head, FsImage};
pub use read::{head_len, list, read_file, read_layout};

/// Bytes per sector.
pub const SECTOR: u64 = 512;
/// Superblock magic, the bytes "RFFS".
pub const MAGIC: &[u8; 4] = b"RFFS";
/// Format version.
pub const VERSION: u32 = 1;
/// Bytes per directory entry.
pub const ENTRY_SIZE: usize = 32;
/// Directory entries per sector.
pub const ENTRIES_PER_SECTOR: u32 = (SECTOR as usize / ENTRY_SIZE) as u32;
/// Bytes of the name field (names are 1..=23 bytes, NUL-padded).
pub const NAME_FIELD: usize = 24;
/// Directory entries an image gets when the caller has no preference.
pub const DEFAULT_ENTRIES: u32 = 64;
/// Most directory entries an image may have (a 32 MiB directory).
pub const MAX_ENTRIES: u32 = 1 << 20;

/// Superblock field offsets (bytes into sector 0).
pub mod sb {
    /// `magic`: the bytes `RFFS`.
    pub const MAGIC: usize = 0x00;
    /// `version`: 1.
    pub const VERSION: usize = 0x04;
    /// `total_sectors`: sectors in the image.
    pub const TOTAL_SECTORS: usize = 0x08;
    /// `dir_start`: first directory sector.
    pub const DIR_START: usize = 0x0C;
    /// `dir_sectors`: directory sectors.
    pub const DIR_SECTORS: usize = 0x10;
    /// `dir_entries`: directory slots (`dir_sectors × 16`).
    pub const DIR_ENTRIES: usize = 0x14;
    /// `file_count`: entries in use (the first `file_count` slots).
    pub const FILE_COUNT: usize = 0x18;
    /// `data_start`: first data sector.
    pub const DATA_START: usize = 0x1C;
    /// `data_end`: first sector after the highest file extent.
    pub const DATA_END: usize = 0x20;
}

/// One file of an RFFS directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File name.
    pub name: String,
    /// First sector of its data.
    pub start: u32,
    /// Length in bytes.
    pub length: u32,
}

impl Entry {
    /// Sectors the file occupies: ⌈length / 512⌉ (none for an empty file).
    pub fn sectors(&self) -> u64 {
        (self.length as u64).div_ceil(SECTOR)
    }

    /// One past the file's last sector.
    pub fn end(&self) -> u64 {
        self.start as u64 + self.sectors()
    }

    /// The file's bytes in the image: `start · 512 .. start · 512 + length`.
    pub fn byte_range(&self) -> std::ops::Range<u64> {
        let at = self.start as u64 * SECTOR;
        at..at + self.length as u64
    }
}

/// The layout of an RFFS image: superblock fields plus the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Sectors in the image.
    pub total_sectors: u32,
    /// First directory sector.
    pub dir_start: u32,
    /// Directory sectors.
    pub dir_sectors: u32,
    /// First data sector.
    pub data_start: u32,
    /// First sector after the highest file extent.
    pub data_end: u32,
    /// The files, in directory order.
    pub entries: Vec<Entry>,
}

impl Layout {
    /// Directory slots (used or not).
    pub fn slots(&self) -> u64 {
        self.dir_sectors as u64 * ENTRIES_PER_SECTOR as u64
    }

    /// The file named `name`.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The entry for `name`, or [`Error::NotFound`] listing the files there are.
    pub fn get(&self, name: &str) -> Result<&Entry, Error> {
        self.find(name).ok_or_else(|| Error::NotFound {
            name: name.to_string(),
            files: self.entries.iter().map(|e| e.name.clone()).collect(),
        })
    }
}

/// What is wrong with an image, or with the files given to [`build`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Sector 0 does not hold an RFFS superblock.
    #[error("not an RFFS image (no RFFS superblock in sector 0)")]
    NotRffs,
    /// The superblock's version is not [`VERSION`].
    #[error("RFFS version {0} is not supported (this ringfort reads version {VERSION})")]
    Version(u32),
    /// The superblock contradicts itself or the image.
    #[error("RFFS superblock is inconsistent: {0}")]
    Superblock(String),
    /// A directory entry in use is malformed or overlaps another.
    #[error("RFFS directory entry {index} (`{name}`): {problem}")]
    BadEntry {
        /// Slot number (0-based).
        index: u32,
        /// The name as stored (lossy).
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// The image ends before something the superblock or directory says is there.
    #[error("RFFS image is truncated: {0}")]
    Truncated(String),
    /// No file of that name.
    #[error("no file `{name}` on the image ({})", list_names(files))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The files the image holds.
        files: Vec<String>,
    },
    /// A file name cannot be stored.
    #[error("file name `{0}` must be 1 to 23 bytes of printable ASCII without spaces or `/`")]
    BadName(String),
    /// Two files have the same name.
    #[error("two files are named `{0}`")]
    Duplicate(String),
    /// The directory size asked for is not allowed.
    #[error(
        "{0} directory entries: give a positive multiple of 16 (16 entries fill a sector), at \
         most {MAX_ENTRIES}"
    )]
    BadEntries(u32),
    /// More files than directory entries.
    #[error("{files} files do not fit in a directory of {entries} entries")]
    TooManyFiles {
        /// Files given.
        files: usize,
        /// Directory entries.
        entries: u32,
    },
    /// A file is larger than a directory entry can describe.
    #[error("`{0}` is larger than 4 GiB")]
    FileTooLarge(String),
    /// The image size asked for is not a whole number of sectors, or too large.
    #[error(
        "an image of {0} bytes is not a whole, non-zero number of 512-byte sectors below 2 TiB"
    )]
    BadSize(u64),
    /// The files do not fit in the image size asked for.
    #[error("the files need {needed} bytes ({} sectors) but the image is {size} bytes", needed / SECTOR)]
    NoRoom {
        /// Bytes the superblock, directory and files need.
        needed: u64,
        /// The size asked for.
        size: u64,
    },
}

fn list_names(files: &[String]) -> String {
    if files.is_empty() {
        "it holds no files".to_string()
    } else {
        format!("files: {}", files.join(", "))
    }
}

/// Checks that `name` can be stored: 1 to 23 bytes of printable ASCII, no space, no `/`.
pub fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() < NAME_FIELD
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    if ok {
        Ok(())
    } else {
        Err(Error::BadName(name.to_string()))
    }
}

fn put(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// The little-endian word at `off` (the caller checked the bounds).
fn get(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

#[cfg(test)]
mod tests;

//! Building an image: superblock, directory, files back to back in directory order.

use crate::{
    check_name, put, sb, Entry, Error, Layout, ENTRIES_PER_SECTOR, ENTRY_SIZE, MAGIC, MAX_ENTRIES,
    NAME_FIELD, SECTOR, VERSION,
};

/// An RFFS image as [`build_head`] makes it: its first bytes (superblock, directory, files),
/// then zeros up to `size`, not held in memory (a large image written to a file stays sparse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsImage {
    /// The sectors up to the end of the last file.
    pub head: Vec<u8>,
    /// The image's size in bytes (at least `head.len()`).
    pub size: u64,
}

/// Builds an RFFS image with `entries` directory slots (a positive multiple of 16, at most
/// [`MAX_ENTRIES`]) holding `files` (name, contents), of `size` bytes (`None`: just large
/// enough, rounded up to 64 KiB). Files are stored in the order given, back to back from the
/// first data sector. The whole image is returned in memory: for a large one written to a
/// file, [`build_head`] keeps only the part that is not zero.
pub fn build(
    files: &[(String, Vec<u8>)],
    size: Option<u64>,
    entries: u32,
) -> Result<Vec<u8>, Error> {
    let FsImage { mut head, size } = build_head(files, size, entries)?;
    let size = usize::try_from(size).map_err(|_| Error::BadSize(size))?;
    head.resize(size, 0);
    Ok(head)
}

/// Like [`build`], but returns only the image's first sectors (up to the end of the last
/// file) and its size: the rest is zeros.
pub fn build_head(
    files: &[(String, Vec<u8>)],
    size: Option<u64>,
    entries: u32,
) -> Result<FsImage, Error> {
    if entries == 0 || !entries.is_multiple_of(ENTRIES_PER_SECTOR) || entries > MAX_ENTRIES {
        return Err(Error::BadEntries(entries));
    }
    if files.len() > entries as usize {
        return Err(Error::TooManyFiles {
            files: files.len(),
            entries,
        });
    }
    let mut seen = std::collections::HashSet::new();
    for (name, data) in files {
        check_name(name)?;
        if !seen.insert(name.as_str()) {
            return Err(Error::Duplicate(name.clone()));
        }
        if data.len() as u64 > u32::MAX as u64 {
            return Err(Error::FileTooLarge(name.clone()));
        }
    }
    let dir_sectors = entries / ENTRIES_PER_SECTOR;
    let data_start = 1 + dir_sectors as u64;
    let data_sectors: u64 = files
        .iter()
        .map(|(_, d)| (d.len() as u64).div_ceil(SECTOR))
        .sum();
    let needed = (data_start + data_sectors) * SECTOR;
    let size = match size {
        Some(s) if s == 0 || !s.is_multiple_of(SECTOR) || s / SECTOR > u32::MAX as u64 => {
            return Err(Error::BadSize(s))
        }
        Some(s) if s < needed => return Err(Error::NoRoom { needed, size: s }),
        Some(s) => s,
        None => needed.div_ceil(64 << 10) * (64 << 10),
    };
    if size / SECTOR > u32::MAX as u64 {
        return Err(Error::BadSize(size));
    }
    // `needed` is at most the 32 MiB directory plus the files the caller holds in memory.
    let mut img = vec![0u8; needed as usize];
    let mut next = data_start;
    let mut dir = Vec::with_capacity(files.len());
    for (name, data) in files {
        let at = (next * SECTOR) as usize;
        img[at..at + data.len()].copy_from_slice(data);
        dir.push(Entry {
            name: name.clone(),
            start: next as u32,
            length: data.len() as u32,
        });
        next += (data.len() as u64).div_ceil(SECTOR);
    }
    let layout = Layout {
        total_sectors: (size / SECTOR) as u32,
        dir_start: 1,
        dir_sectors,
        data_start: data_start as u32,
        data_end: next as u32,
        entries: dir,
    };
    write_layout(&mut img, &layout);
    Ok(FsImage { head: img, size })
}

/// Writes the superblock and directory of `l` into `img` (which holds them).
fn write_layout(img: &mut [u8], l: &Layout) {
    img[sb::MAGIC..sb::MAGIC + 4].copy_from_slice(MAGIC);
    put(img, sb::VERSION, VERSION);
    put(img, sb::TOTAL_SECTORS, l.total_sectors);
    put(img, sb::DIR_START, l.dir_start);
    put(img, sb::DIR_SECTORS, l.dir_sectors);
    put(img, sb::DIR_ENTRIES, l.dir_sectors * ENTRIES_PER_SECTOR);
    put(img, sb::FILE_COUNT, l.entries.len() as u32);
    put(img, sb::DATA_START, l.data_start);
    put(img, sb::DATA_END, l.data_end);
    for (i, e) in l.entries.iter().enumerate() {
        let o = l.dir_start as usize * SECTOR as usize + i * ENTRY_SIZE;
        img[o..o + e.name.len()].copy_from_slice(e.name.as_bytes());
        put(img, o + NAME_FIELD, e.start);
        put(img, o + NAME_FIELD + 4, e.length);
    }
}

//! Reading an image: the superblock and directory checked field by field, files by name.

use crate::{
    check_name, get, sb, Entry, Error, Layout, ENTRIES_PER_SECTOR, ENTRY_SIZE, MAGIC, MAX_ENTRIES,
    NAME_FIELD, SECTOR, VERSION,
};

/// How many bytes from the start of an image hold its superblock and directory, read from
/// the superblock in `sector0` (its first 512 bytes or more); `None` if it is not RFFS. A
/// caller with a large image on disk reads that much and gives it to [`read_layout`]. At most
/// the largest directory allowed ([`MAX_ENTRIES`]), whatever the superblock says.
pub fn head_len(sector0: &[u8]) -> Option<u64> {
    if sector0.len() < SECTOR as usize || &sector0[0..4] != MAGIC {
        return None;
    }
    let end = get(sector0, sb::DIR_START) as u64 + get(sector0, sb::DIR_SECTORS) as u64;
    let max = 1 + (MAX_ENTRIES / ENTRIES_PER_SECTOR) as u64;
    Some(end.clamp(1, max) * SECTOR)
}

/// Reads and checks the superblock and directory of an RFFS image. `img` may be the whole
/// image or only its first sectors (at least [`head_len`] bytes): file data is not read.
///
/// Every entry in use is checked on its own: a valid name (unique), and a non-empty file's
/// extent (`start`, ⌈length / 512⌉ sectors) inside `data_start .. total_sectors` and below
/// `data_end`, overlapping no other. An empty file occupies no sector; its `start` is not
/// checked.
pub fn read_layout(img: &[u8]) -> Result<Layout, Error> {
    if img.len() < SECTOR as usize || &img[0..4] != MAGIC {
        return Err(Error::NotRffs);
    }
    let version = get(img, sb::VERSION);
    if version != VERSION {
        return Err(Error::Version(version));
    }
    let l = Layout {
        total_sectors: get(img, sb::TOTAL_SECTORS),
        dir_start: get(img, sb::DIR_START),
        dir_sectors: get(img, sb::DIR_SECTORS),
        data_start: get(img, sb::DATA_START),
        data_end: get(img, sb::DATA_END),
        entries: Vec::new(),
    };
    let count = get(img, sb::FILE_COUNT);
    check_superblock(&l, get(img, sb::DIR_ENTRIES), count)?;
    let dir_off = l.dir_start as u64 * SECTOR;
    let dir_used = dir_off + count as u64 * ENTRY_SIZE as u64;
    if dir_used > img.len() as u64 {
        return Err(Error::Truncated(format!(
            "the directory's {count} entries end at byte {dir_used}, past the {} bytes there are",
            img.len()
        )));
    }
    // Bounded by the image: `count` entries of 32 bytes are in `img`.
    let mut entries = Vec::with_capacity(count as usize);
    for i in 0..count {
        let o = (dir_off + i as u64 * ENTRY_SIZE as u64) as usize;
        entries.push(read_entry(&img[o..o + ENTRY_SIZE], i, &l)?);
    }
    check_overlaps(&entries)?;
    Ok(Layout { entries, ..l })
}

/// The superblock's fields against each other.
fn check_superblock(l: &Layout, dir_entries: u32, count: u32) -> Result<(), Error> {
    let bad = |s: String| Err(Error::Superblock(s));
    if l.dir_start == 0 {
        return bad("dir_start is 0 (the superblock's own sector)".into());
    }
    if l.dir_sectors == 0 || l.dir_sectors > MAX_ENTRIES / ENTRIES_PER_SECTOR {
        return bad(format!(
            "dir_sectors is {} (1 to {} allowed)",
            l.dir_sectors,
            MAX_ENTRIES / ENTRIES_PER_SECTOR
        ));
    }
    if dir_entries as u64 != l.slots() {
        return bad(format!(
            "dir_entries is {dir_entries}, not dir_sectors × 16 = {}",
            l.slots()
        ));
    }
    if count > dir_entries {
        return bad(format!(
            "file_count {count} is more than the {dir_entries} directory entries"
        ));
    }
    let dir_end = l.dir_start as u64 + l.dir_sectors as u64;
    if (l.data_start as u64) < dir_end {
        return bad(format!(
            "data_start {} is inside the directory (sectors {}..{dir_end})",
            l.data_start, l.dir_start
        ));
    }
    if l.data_start > l.total_sectors {
        return bad(format!(
            "data_start {} is past the last sector ({} sectors)",
            l.data_start, l.total_sectors
        ));
    }
    if l.data_end < l.data_start || l.data_end > l.total_sectors {
        return bad(format!(
            "data_end {} is outside the data area (sectors {}..{})",
            l.data_end, l.data_start, l.total_sectors
        ));
    }
    Ok(())
}

/// One directory entry in use (slot `index`, 32 bytes `raw`), checked against the layout.
fn read_entry(raw: &[u8], index: u32, l: &Layout) -> Result<Entry, Error> {
    let field = &raw[..NAME_FIELD];
    let n = field.iter().position(|&b| b == 0).unwrap_or(NAME_FIELD);
    let name = String::from_utf8_lossy(&field[..n]).into_owned();
    let bad = |problem: String| Error::BadEntry {
        index,
        name: name.clone(),
        problem,
    };
    if n == NAME_FIELD {
        return Err(bad("the name is not NUL-terminated".into()));
    }
    if check_name(&name).is_err() || !field[..n].is_ascii() {
        return Err(bad(
            "the name must be 1 to 23 bytes of printable ASCII without spaces or `/`".into(),
        ));
    }
    let e = Entry {
        start: get(raw, NAME_FIELD),
        length: get(raw, NAME_FIELD + 4),
        name: name.clone(),
    };
    if e.length > 0 {
        if e.start < l.data_start {
            return Err(bad(format!(
                "its data starts at sector {}, before the data area (sector {})",
                e.start, l.data_start
            )));
        }
        if e.end() > l.total_sectors as u64 {
            return Err(bad(format!(
                "its {} bytes from sector {} end at sector {}, past the image's {} sectors",
                e.length,
                e.start,
                e.end(),
                l.total_sectors
            )));
        }
        if e.end() > l.data_end as u64 {
            return Err(bad(format!(
                "its data ends at sector {}, past data_end ({})",
                e.end(),
                l.data_end
            )));
        }
    }
    Ok(e)
}

/// No two files share a name or a sector.
fn check_overlaps(entries: &[Entry]) -> Result<(), Error> {
    let mut order: Vec<(usize, &Entry)> = entries.iter().enumerate().collect();
    order.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    for w in order.windows(2) {
        if w[0].1.name == w[1].1.name {
            return Err(Error::BadEntry {
                index: w[1].0 as u32,
                name: w[1].1.name.clone(),
                problem: format!("entry {} has the same name", w[0].0),
            });
        }
    }
    order.retain(|(_, e)| e.length > 0);
    order.sort_by_key(|(_, e)| e.start);
    for w in order.windows(2) {
        let ((ia, a), (ib, b)) = (w[0], w[1]);
        if a.end() > b.start as u64 {
            return Err(Error::BadEntry {
                index: ib as u32,
                name: b.name.clone(),
                problem: format!(
                    "its sectors {}..{} overlap those of entry {ia} (`{}`, sectors {}..{})",
                    b.start,
                    b.end(),
                    a.name,
                    a.start,
                    a.end()
                ),
            });
        }
    }
    Ok(())
}

/// The files of an RFFS image, in directory order ([`read_layout`]'s checks).
pub fn list(img: &[u8]) -> Result<Vec<Entry>, Error> {
    Ok(read_layout(img)?.entries)
}

/// The contents of the file `name` on the image (the whole image, or at least up to the end
/// of that file). [`Error::NotFound`] lists the files there are.
pub fn read_file(img: &[u8], name: &str) -> Result<Vec<u8>, Error> {
    let layout = read_layout(img)?;
    let e = layout.get(name)?;
    let r = e.byte_range();
    if r.end > img.len() as u64 {
        return Err(Error::Truncated(format!(
            "`{name}` ends at byte {}, past the {} bytes there are",
            r.end,
            img.len()
        )));
    }
    Ok(img[r.start as usize..r.end as usize].to_vec())
}

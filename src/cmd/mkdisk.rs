//! `ringfort mkdisk`: create a disk image for `-drive file=...`, blank or with host files
//! packed into RFFS, the small flat filesystem of docs/disk-format.md.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bytes per sector.
pub const SECTOR: u64 = 512;
/// Superblock magic, the bytes "RFFS".
pub const MAGIC: &[u8; 4] = b"RFFS";
/// Format version.
pub const VERSION: u32 = 1;
/// Bytes per directory entry.
pub const ENTRY_SIZE: usize = 32;
/// Bytes of the name field (names are 1..=23 bytes, NUL-padded).
pub const NAME_FIELD: usize = 24;
/// Directory entries when --entries is not given.
pub const DEFAULT_ENTRIES: u32 = 64;
/// Most directory entries `--entries` may ask for (a 32 MiB directory).
pub const MAX_ENTRIES: u32 = 1 << 20;

/// `ringfort mkdisk` arguments.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Image file to create (or, with --list, to read).
    pub image: PathBuf,
    /// Host files to pack into an RFFS filesystem (named by their file names).
    pub files: Vec<PathBuf>,
    /// Image size: bytes, or with a K, M or G suffix; a multiple of 512. Default: 1M for a
    /// blank image, else just large enough (rounded up to 64K).
    #[arg(long, short = 's', value_parser = parse_disk_size)]
    pub size: Option<u64>,
    /// Format an RFFS filesystem even with no files to pack.
    #[arg(long)]
    pub fs: bool,
    /// Directory entries (files the filesystem can hold); a multiple of 16.
    #[arg(long, default_value_t = DEFAULT_ENTRIES)]
    pub entries: u32,
    /// Replace IMAGE if it exists.
    #[arg(long, short = 'f')]
    pub force: bool,
    /// Print the directory of an existing RFFS image instead of creating one.
    #[arg(long, conflicts_with_all = ["files", "size", "fs", "force"])]
    pub list: bool,
}

/// Parses a disk size: `4096`, `64K`, `1M`, `2G` (binary units); must be a whole number of
/// sectors.
pub fn parse_disk_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 1 << 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 1 << 30),
        Some('b' | 'B') => (&t[..t.len() - 1], 1),
        _ => (t, 1),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write e.g. 1M or 65536"))?;
    let bytes = n.checked_mul(mult).ok_or("size too large")?;
    if bytes == 0 || !bytes.is_multiple_of(SECTOR) {
        return Err(format!(
            "`{s}` is not a whole, non-zero number of 512-byte sectors"
        ));
    }
    if bytes / SECTOR > u32::MAX as u64 {
        return Err("a disk holds at most 2^32 sectors (2 TiB)".into());
    }
    Ok(bytes)
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
    /// First sector after the last file's data.
    pub data_end: u32,
    /// The files.
    pub entries: Vec<Entry>,
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() >= NAME_FIELD {
        return Err(format!(
            "file name `{name}` must be 1 to {} bytes long",
            NAME_FIELD - 1
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(format!(
            "file name `{name}` must be printable ASCII without spaces or `/`"
        ));
    }
    Ok(())
}

/// Builds an RFFS image of `size` bytes (None: just large enough, rounded up to 64 KiB) with
/// An RFFS image: its first bytes (superblock, directory, files), then zeros up to `size`
/// (which the file gets without their being held in memory: a large image stays sparse).
pub struct FsImage {
    /// Sectors up to the end of the last file.
    pub head: Vec<u8>,
    /// The image's size in bytes.
    pub size: u64,
}

/// `entries` directory slots holding `files` (name, contents).
pub fn build_fs(files: &[(String, Vec<u8>)], size: Option<u64>, entries: u32) -> Result<FsImage> {
    if entries == 0 || !entries.is_multiple_of(16) {
        bail!("--entries must be a positive multiple of 16 (16 entries fill a sector)");
    }
    if entries > MAX_ENTRIES {
        bail!("--entries {entries} is more than the {MAX_ENTRIES} a directory may hold");
    }
    if files.len() > entries as usize {
        bail!(
            "{} files do not fit in a directory of {entries} entries (raise --entries)",
            files.len()
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (name, data) in files {
        check_name(name).map_err(anyhow::Error::msg)?;
        if !seen.insert(name.as_str()) {
            bail!("two files are named `{name}`");
        }
        if data.len() as u64 > u32::MAX as u64 {
            bail!("`{name}` is larger than 4 GiB");
        }
    }
    let dir_sectors = entries / 16;
    let data_start = 1 + dir_sectors as u64;
    let data_sectors: u64 = files
        .iter()
        .map(|(_, d)| (d.len() as u64).div_ceil(SECTOR))
        .sum();
    let needed = (data_start + data_sectors) * SECTOR;
    let size = match size {
        Some(s) if s < needed => bail!(
            "the files need {needed} bytes ({} sectors) but --size gives {s}",
            needed / SECTOR
        ),
        Some(s) => s,
        None => needed.div_ceil(64 << 10) * (64 << 10),
    };
    // Checked above: `needed` is at most the directory's 32 MiB plus the files read.
    let mut img = vec![0u8; needed as usize];
    let mut next = data_start;
    let mut dir = Vec::new();
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

fn put(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

fn get(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// Writes the superblock and directory of `l` into `img`.
fn write_layout(img: &mut [u8], l: &Layout) {
    img[0..4].copy_from_slice(MAGIC);
    put(img, 0x04, VERSION);
    put(img, 0x08, l.total_sectors);
    put(img, 0x0C, l.dir_start);
    put(img, 0x10, l.dir_sectors);
    put(img, 0x14, l.dir_sectors * 16);
    put(img, 0x18, l.entries.len() as u32);
    put(img, 0x1C, l.data_start);
    put(img, 0x20, l.data_end);
    for (i, e) in l.entries.iter().enumerate() {
        let o = (l.dir_start as usize) * SECTOR as usize + i * ENTRY_SIZE;
        img[o..o + e.name.len()].copy_from_slice(e.name.as_bytes());
        put(img, o + NAME_FIELD, e.start);
        put(img, o + NAME_FIELD + 4, e.length);
    }
}

/// Reads an image's superblock and directory sectors (not its data: an image may be huge).
fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let cannot = || format!("cannot read {}", path.display());
    let f = std::fs::File::open(path).with_context(cannot)?;
    let mut head = Vec::new();
    (&f).take(SECTOR)
        .read_to_end(&mut head)
        .with_context(cannot)?;
    if head.len() as u64 == SECTOR && &head[0..4] == MAGIC {
        let dir_end = get(&head, 0x0C) as u64 + get(&head, 0x10) as u64;
        // A directory larger than mkdisk makes is read only as far as its limit allows.
        let want = dir_end.min(1 + MAX_ENTRIES as u64 / 16) * SECTOR;
        (&f).take(want.saturating_sub(SECTOR))
            .read_to_end(&mut head)
            .with_context(cannot)?;
    }
    Ok(head)
}

/// Reads the superblock and directory of an RFFS image.
pub fn read_layout(img: &[u8]) -> Result<Layout> {
    if img.len() < SECTOR as usize || &img[0..4] != MAGIC {
        bail!("not an RFFS image (no RFFS superblock in sector 0)");
    }
    let version = get(img, 0x04);
    if version != VERSION {
        bail!("RFFS version {version} is not supported (this ringfort reads version {VERSION})");
    }
    let l = Layout {
        total_sectors: get(img, 0x08),
        dir_start: get(img, 0x0C),
        dir_sectors: get(img, 0x10),
        data_start: get(img, 0x1C),
        data_end: get(img, 0x20),
        entries: Vec::new(),
    };
    let count = get(img, 0x18) as usize;
    let dir_off = l.dir_start as u64 * SECTOR;
    if count as u64 > l.dir_sectors as u64 * 16
        || dir_off + l.dir_sectors as u64 * SECTOR > img.len() as u64
    {
        bail!("RFFS superblock is inconsistent (directory outside the image)");
    }
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let o = dir_off as usize + i * ENTRY_SIZE;
        let raw = &img[o..o + NAME_FIELD];
        let n = raw.iter().position(|&b| b == 0).unwrap_or(NAME_FIELD);
        entries.push(Entry {
            name: String::from_utf8_lossy(&raw[..n]).into_owned(),
            start: get(img, o + NAME_FIELD),
            length: get(img, o + NAME_FIELD + 4),
        });
    }
    Ok(Layout { entries, ..l })
}

/// Writes `bytes` to `path` through a temporary file renamed into place, then extends it to
/// `blank_size` (sparse where the filesystem allows).
fn write_atomically(path: &Path, bytes: &[u8], blank_size: Option<u64>) -> Result<()> {
    emulator::files::write_atomic(path, |f| {
        f.write_all(bytes)?;
        match blank_size {
            // A device written in place keeps its own size.
            Some(size) if f.metadata()?.is_file() => f.set_len(size),
            _ => Ok(()),
        }
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// Runs the command.
pub fn run(a: Args) -> Result<std::process::ExitCode> {
    if a.list {
        let img = read_head(&a.image)?;
        let l = read_layout(&img).with_context(|| a.image.display().to_string())?;
        println!(
            "{}: RFFS, {} sectors, {} of {} entries used, data in sectors {}..{}",
            a.image.display(),
            l.total_sectors,
            l.entries.len(),
            l.dir_sectors * 16,
            l.data_start,
            l.data_end
        );
        for e in &l.entries {
            println!("{:>10}  sector {:>8}  {}", e.length, e.start, e.name);
        }
        return Ok(std::process::ExitCode::SUCCESS);
    }
    if a.image.exists() && !a.force {
        bail!("{} exists; pass --force to replace it", a.image.display());
    }
    if a.files.is_empty() && !a.fs {
        let size = a.size.unwrap_or(1 << 20);
        write_atomically(&a.image, &[], Some(size))?;
        eprintln!(
            "ringfort: created {} ({} sectors, blank)",
            a.image.display(),
            size / SECTOR
        );
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let mut files = Vec::new();
    for p in &a.files {
        let data = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} has no usable file name", p.display()))?
            .to_string();
        files.push((name, data));
    }
    let img = build_fs(&files, a.size, a.entries)?;
    write_atomically(&a.image, &img.head, Some(img.size))?;
    eprintln!(
        "ringfort: created {} ({} sectors, RFFS with {} file(s))",
        a.image.display(),
        img.size / SECTOR,
        files.len()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_round_trips() {
        let files = vec![
            ("hello.txt".to_string(), b"hello\n".to_vec()),
            ("big.bin".to_string(), vec![7u8; 1300]),
            ("empty".to_string(), Vec::new()),
        ];
        let FsImage { head: img, size } = build_fs(&files, None, 16).unwrap();
        assert_eq!(size, 64 << 10);
        let l = read_layout(&img).unwrap();
        assert_eq!(l.dir_start, 1);
        assert_eq!(l.dir_sectors, 1);
        assert_eq!(l.data_start, 2);
        assert_eq!(
            l.entries,
            vec![
                Entry {
                    name: "hello.txt".into(),
                    start: 2,
                    length: 6
                },
                Entry {
                    name: "big.bin".into(),
                    start: 3,
                    length: 1300
                },
                Entry {
                    name: "empty".into(),
                    start: 6,
                    length: 0
                },
            ]
        );
        assert_eq!(l.data_end, 6);
        assert_eq!(&img[2 * 512..2 * 512 + 6], b"hello\n");
    }

    #[test]
    fn bad_inputs_are_refused() {
        let long = "x".repeat(24);
        assert!(build_fs(&[(long, vec![])], None, 16).is_err());
        assert!(build_fs(&[("a b".into(), vec![])], None, 16).is_err());
        let dup = vec![("a".to_string(), vec![]), ("a".to_string(), vec![])];
        assert!(build_fs(&dup, None, 16).is_err());
        assert!(build_fs(&[("a".into(), vec![0; 4096])], Some(2048), 16).is_err());
        assert!(build_fs(&[], None, 10).is_err());
        assert!(build_fs(&[], None, 4294967280).is_err());
        assert!(parse_disk_size("1000").is_err());
        assert_eq!(parse_disk_size("1M"), Ok(1 << 20));
        assert_eq!(parse_disk_size("1024"), Ok(1024));
    }
}

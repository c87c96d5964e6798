//! `ringfort mkdisk`: create a disk image for `-drive file=...`, blank or with host files
//! packed into RFFS, the small flat filesystem of docs/disk-format.md (the `rffs` crate); list
//! an image's files and copy them back out.

use anyhow::{anyhow, bail, Context, Result};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use rffs::{DEFAULT_ENTRIES, SECTOR};

/// `ringfort mkdisk` arguments.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Image file to create (or, with --list or --extract, to read).
    pub image: PathBuf,
    /// Host files to pack into an RFFS filesystem (named by their file names).
    pub files: Vec<PathBuf>,
    /// Image size: bytes, or with a K, M or G suffix; a multiple of 512. Default: 1M for a
    /// blank image or with --os, else just large enough (rounded up to 64K).
    #[arg(long, short = 's', value_parser = parse_disk_size)]
    pub size: Option<u64>,
    /// Format an RFFS filesystem even with no files to pack.
    #[arg(long)]
    pub fs: bool,
    /// Also pack the files of the built-in disk (the Ringfort OS programs and files, what
    /// `ringfort` boots from without -drive); a FILE of the same name replaces one of them.
    #[arg(long)]
    pub os: bool,
    /// Directory entries (files the filesystem can hold); a multiple of 16.
    #[arg(long, default_value_t = DEFAULT_ENTRIES)]
    pub entries: u32,
    /// Replace IMAGE if it exists.
    #[arg(long, short = 'f')]
    pub force: bool,
    /// Print the directory of an existing RFFS image instead of creating one.
    #[arg(long, conflicts_with_all = ["files", "size", "fs", "os", "force"])]
    pub list: bool,
    /// Copy the file NAME out of an existing RFFS image (to ./NAME, or to -o OUT).
    #[arg(long, value_name = "NAME",
          conflicts_with_all = ["files", "size", "fs", "os", "force", "list"])]
    pub extract: Option<String>,
    /// Where --extract writes the file (`-` for standard output).
    #[arg(short = 'o', long = "output", value_name = "OUT", requires = "extract")]
    pub output: Option<PathBuf>,
    /// Copy every file of an existing RFFS image into DIR (created if needed).
    #[arg(long, value_name = "DIR",
          conflicts_with_all = ["files", "size", "fs", "os", "force", "list", "extract"])]
    pub extract_all: Option<PathBuf>,
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

/// An image file opened for reading its filesystem: the superblock and directory read (not
/// the data: an image may be huge), checked.
struct OnDisk {
    file: std::fs::File,
    len: u64,
    layout: rffs::Layout,
}

impl OnDisk {
    fn open(path: &Path) -> Result<OnDisk> {
        use std::io::Read;
        let cannot = || format!("cannot read {}", path.display());
        let file = std::fs::File::open(path).with_context(cannot)?;
        let len = file.metadata().with_context(cannot)?.len();
        let mut head = Vec::new();
        (&file)
            .take(SECTOR)
            .read_to_end(&mut head)
            .with_context(cannot)?;
        if let Some(want) = rffs::head_len(&head) {
            (&file)
                .take(want.saturating_sub(SECTOR))
                .read_to_end(&mut head)
                .with_context(cannot)?;
        }
        let layout = rffs::read_layout(&head).with_context(|| path.display().to_string())?;
        Ok(OnDisk { file, len, layout })
    }

    /// The contents of `e` (one of the image's files).
    fn read(&self, path: &Path, e: &rffs::Entry) -> Result<Vec<u8>> {
        let r = e.byte_range();
        if r.end > self.len {
            bail!(
                "{}: `{}` ends at byte {}, past the end of the image ({} bytes): truncated",
                path.display(),
                e.name,
                r.end,
                self.len
            );
        }
        let mut buf = vec![0u8; e.length as usize];
        self.file
            .read_exact_at(&mut buf, r.start)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(buf)
    }
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

fn list(a: &Args) -> Result<ExitCode> {
    let d = OnDisk::open(&a.image)?;
    let l = &d.layout;
    println!(
        "{}: RFFS, {} sectors, {} of {} entries used, data in sectors {}..{}",
        a.image.display(),
        l.total_sectors,
        l.entries.len(),
        l.slots(),
        l.data_start,
        l.data_end
    );
    for e in &l.entries {
        println!("{:>10}  sector {:>8}  {}", e.length, e.start, e.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn extract(a: &Args, name: &str) -> Result<ExitCode> {
    let d = OnDisk::open(&a.image)?;
    let e = d
        .layout
        .get(name)
        .with_context(|| a.image.display().to_string())?;
    let bytes = d.read(&a.image, e)?;
    let out = a.output.clone().unwrap_or_else(|| PathBuf::from(name));
    if out.as_os_str() == "-" {
        let mut o = std::io::stdout().lock();
        o.write_all(&bytes).and_then(|_| o.flush())?;
    } else {
        write_atomically(&out, &bytes, None)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn extract_all(a: &Args, dir: &Path) -> Result<ExitCode> {
    let d = OnDisk::open(&a.image)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for e in &d.layout.entries {
        // rffs names have no `/`, but `.` and `..` are names too: not written outside DIR.
        if e.name == "." || e.name == ".." {
            bail!(
                "{}: a file named `{}` cannot be extracted",
                a.image.display(),
                e.name
            );
        }
        let bytes = d.read(&a.image, e)?;
        write_atomically(&dir.join(&e.name), &bytes, None)?;
    }
    eprintln!(
        "ringfort: extracted {} file(s) into {}",
        d.layout.entries.len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The files to pack: the built-in disk's with --os, then the FILEs (replacing any of the same
/// name).
fn files_to_pack(a: &Args) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if a.os {
        let img = firmware::DISK_IMAGE;
        let entries = rffs::list(img).map_err(|e| anyhow!("the built-in disk: {e}"))?;
        if entries.is_empty() {
            bail!(
                "this ringfort was built without firmware: the built-in disk has no files for --os"
            );
        }
        for e in entries {
            let data =
                rffs::read_file(img, &e.name).map_err(|e| anyhow!("the built-in disk: {e}"))?;
            files.push((e.name, data));
        }
    }
    let mut given = Vec::new();
    for p in &a.files {
        let data = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} has no usable file name", p.display()))?
            .to_string();
        given.push((name, data));
    }
    // A given file replaces a built-in one; two given files of one name are refused by rffs.
    files.retain(|(n, _)| !given.iter().any(|(g, _)| g == n));
    files.extend(given);
    Ok(files)
}

/// The command line's words for what `rffs` refuses.
fn build_error(e: rffs::Error) -> anyhow::Error {
    match e {
        rffs::Error::BadEntries(_) => anyhow!("--entries: {e}"),
        rffs::Error::TooManyFiles { .. } => anyhow!("{e} (raise --entries)"),
        rffs::Error::NoRoom { .. } | rffs::Error::BadSize(_) => anyhow!("--size: {e}"),
        e => e.into(),
    }
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode> {
    if a.list {
        return list(&a);
    }
    if let Some(name) = &a.extract {
        return extract(&a, name);
    }
    if let Some(dir) = &a.extract_all {
        return extract_all(&a, dir);
    }
    if a.image.exists() && !a.force {
        bail!("{} exists; pass --force to replace it", a.image.display());
    }
    if a.files.is_empty() && !a.fs && !a.os {
        let size = a.size.unwrap_or(1 << 20);
        write_atomically(&a.image, &[], Some(size))?;
        eprintln!(
            "ringfort: created {} ({} sectors, blank)",
            a.image.display(),
            size / SECTOR
        );
        return Ok(ExitCode::SUCCESS);
    }
    let files = files_to_pack(&a)?;
    let mut size = a.size;
    if a.os && size.is_none() {
        // Room for the OS to write files: the built-in disk's size, or just large enough.
        let head = rffs::build_head(&files, None, a.entries).map_err(build_error)?;
        size = Some(head.size.max(firmware::DISK_SIZE));
    }
    let img = rffs::build_head(&files, size, a.entries).map_err(build_error)?;
    write_atomically(&a.image, &img.head, Some(img.size))?;
    eprintln!(
        "ringfort: created {} ({} sectors, RFFS with {} file(s))",
        a.image.display(),
        img.size / SECTOR,
        files.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_sizes() {
        assert!(parse_disk_size("1000").is_err());
        assert!(parse_disk_size("0").is_err());
        assert!(parse_disk_size("4T").is_err());
        assert_eq!(parse_disk_size("1M"), Ok(1 << 20));
        assert_eq!(parse_disk_size("1024"), Ok(1024));
        assert!(build_error(rffs::Error::BadEntries(3))
            .to_string()
            .starts_with("--entries"));
    }
}

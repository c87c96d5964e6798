//! Cases that boot Ringfort OS: the embedded boot ROM, the built-in disk with the submission
//! added, the shell input typed in.

use crate::verdict::Failure;
use emulator::builder::MachineBuilder;
use std::sync::OnceLock;

/// A disk's files: (name, contents).
type Files = Vec<(String, Vec<u8>)>;

/// The built-in disk's files (read once).
fn base_files() -> Result<&'static [(String, Vec<u8>)], String> {
    static FILES: OnceLock<Result<Files, String>> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let img = firmware::DISK_IMAGE;
            let list = rffs::list(img).map_err(|e| format!("the built-in disk: {e}"))?;
            list.iter()
                .map(|e| {
                    let data = rffs::read_file(img, &e.name)
                        .map_err(|err| format!("the built-in disk: {}: {err}", e.name))?;
                    Ok((e.name.clone(), data))
                })
                .collect()
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// `b` booting Ringfort OS with `elf` on its disk as `name`.
pub fn machine(b: MachineBuilder, name: &str, elf: Vec<u8>) -> Result<MachineBuilder, Failure> {
    let fail = |message: String| Failure::Build { message };
    if !firmware::present() {
        return Err(fail("this build has no Ringfort OS to boot".into()));
    }
    let mut files: Files = base_files()
        .map_err(fail)?
        .iter()
        .filter(|f| f.0 != name)
        .cloned()
        .collect();
    files.push((name.to_string(), elf));
    let disk = rffs::build(&files, Some(firmware::DISK_SIZE), firmware::DISK_ENTRIES)
        .map_err(|e| fail(format!("cannot put `{name}` on the disk: {e}")))?;
    Ok(
        b.bios_bytes("the built-in boot ROM", firmware::BOOT_ELF.to_vec())
            .memory_drive("the built-in disk with the submission", disk),
    )
}

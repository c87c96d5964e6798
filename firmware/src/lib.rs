//! Ringfort OS as built by this crate's build script from the RF32 assembly beside it, embedded
//! in the binary so that `ringfort` with no arguments boots it.
//!
//! Layout of the `firmware/` folder (paths relative to it):
//!
//! - `system.files`: the system image's sources (kernel, drivers, file service), one per line,
//!   in link order (`#` starts a comment). Assembled together at [`SYSTEM_BASE`] with
//!   `include/` on the include path into [`SYSTEM_ELF`] and its flat image [`SYSTEM_BIN`].
//! - `boot.files`: the boot ROM's sources, assembled at [`BOOT_BASE`] into [`BOOT_ELF`], with
//!   `include/` and the build's output folder on the include path (the ROM embeds the system
//!   image with `.incbin "system.bin"`).
//! - `user/bin/NAME.s`: one user program each, assembled at [`USER_BASE`] together with every
//!   `user/lib/*.s` (sorted by name, before the program) into the program `NAME`
//!   ([`PROGRAMS`]).
//! - `user/bin/NAME/`: a program in several files: its `*.s` files (sorted by name) take the
//!   place of `NAME.s` and are assembled the same way. Macros and constants they share go in
//!   an include file beside them (`.include` looks first beside the including file).
//! - `disk/`: files copied as they are onto the default disk (names starting with `.` are
//!   skipped).
//! - `include/`: `abi.inc` and `layout.inc`, the OS ABI written once.
//!
//! [`DISK_IMAGE`] is an RFFS image ([`DISK_SIZE`] bytes, [`DISK_ENTRIES`] entries) holding every
//! program and every file of `disk/`. A missing list file means nothing to build: the
//! corresponding image is empty, and [`present`] says whether there is an OS to boot. A
//! missing `user/bin` means no programs. An assembly error fails the build with the
//! assembler's diagnostics.

#![warn(missing_docs)]

/// Load address of the system image (physical = virtual).
pub const SYSTEM_BASE: u32 = 0x1000;
/// Address of the boot ROM.
pub const BOOT_BASE: u32 = 0xFFF0_0000;
/// Address user programs are linked at.
pub const USER_BASE: u32 = 0x4000_0000;
/// Size of [`DISK_IMAGE`] in bytes.
pub const DISK_SIZE: u64 = 1 << 20;
/// Directory entries of [`DISK_IMAGE`].
pub const DISK_ENTRIES: u32 = 64;

/// The boot ROM (ELF32, at [`BOOT_BASE`]); empty when built without `boot.files`.
pub static BOOT_ELF: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/boot.elf"));
/// The system image (ELF32, at [`SYSTEM_BASE`]), for its symbols; empty when built without
/// `system.files`.
pub static SYSTEM_ELF: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/system.elf"));
/// The system image as a flat binary starting at [`SYSTEM_BASE`] (what the boot ROM embeds).
pub static SYSTEM_BIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/system.bin"));
/// The default disk: an RFFS image with every program and every file of `disk/`.
pub static DISK_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/disk.img"));

include!(concat!(env!("OUT_DIR"), "/programs.rs"));
include!(concat!(env!("OUT_DIR"), "/sources.rs"));

/// Whether this build has an OS to boot (the boot ROM was built).
pub fn present() -> bool {
    !BOOT_ELF.is_empty()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_disk_is_rffs_with_every_program() {
        assert_eq!(super::DISK_IMAGE.len() as u64, super::DISK_SIZE);
        assert_eq!(&super::DISK_IMAGE[..4], b"RFFS");
        let mut names: Vec<&str> = super::PROGRAMS.iter().map(|p| p.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), super::PROGRAMS.len());
        for (_, elf) in super::PROGRAMS {
            assert!(elf.starts_with(b"\x7fELF"));
        }
        assert_eq!(super::BOOT_ELF.is_empty(), !super::present());
    }
}

//! `snapshot save|load FILE`: the machine in a file.
//!
//! The machine is deterministic, so a snapshot file records *how to get to* the state rather
//! than the bytes of every device's private fields: the machine configuration, the image the
//! machine started from (its non-zero RAM pages, ROM, entry), the changes the user made on the
//! way (register and memory writes, resets, each at its step) and the step count. Loading builds
//! that machine and re-executes it to the saved step, then checks the result against a summary
//! of the saved state (pc, registers, control registers, cycles, a CRC of RAM) and refuses the
//! file if they differ. Every piece of state — including device internals added later — is
//! therefore restored exactly, without the file format having to follow each device's fields.
//!
//! Format (version 1):
//!
//! ```text
//! offset  size  field
//! 0       8     magic "RFSNAP\r\n" (a text-mode transfer or a truncation shows up at once)
//! 8       4     format version, little-endian u32
//! 12      8     payload length, little-endian u64
//! 20      4     CRC-32 of the payload, little-endian u32
//! 24      n     payload: `SnapshotFile` encoded with postcard (serde)
//! ```
//!
//! Files are written to a temporary file next to the target and renamed over it, so a crash
//! never leaves half a file. A wrong magic, version, length or checksum is refused with the
//! reason.

use super::expr::Var;
use super::timetravel::is_zero;
use emulator::Machine;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// File magic.
pub const MAGIC: &[u8; 8] = b"RFSNAP\r\n";
/// Current format version.
pub const VERSION: u32 = 1;
const HEADER: usize = 24;

/// The machine configuration a snapshot was taken with.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MachineConfig {
    /// RAM size in bytes.
    pub ram_size: u32,
    /// Program file the machine was loaded from (informational).
    pub program: Option<String>,
    /// Engine in use (informational).
    pub engine: String,
}

/// The state a machine starts from: memory contents and entry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Image {
    /// Non-zero 4 KiB RAM pages: (page number, bytes).
    pub ram_pages: Vec<(u32, Vec<u8>)>,
    /// Boot ROM contents.
    pub rom: Vec<u8>,
    /// Reset pc.
    pub reset_pc: u32,
    /// pc at step 0.
    pub pc: u32,
}

impl Image {
    /// The image of a freshly loaded machine.
    pub fn capture(m: &Machine) -> Image {
        let ram_pages = m
            .ram
            .chunks(4096)
            .enumerate()
            .filter(|(_, c)| !is_zero(c))
            .map(|(i, c)| (i as u32, c.to_vec()))
            .collect();
        Image {
            ram_pages,
            rom: m.rom.clone(),
            reset_pc: m.reset_pc,
            pc: m.cpu.pc,
        }
    }

    /// Loads the image into a new machine.
    pub fn apply(&self, m: &mut Machine) -> Result<(), String> {
        for (page, data) in &self.ram_pages {
            let start = *page as usize * 4096;
            if data.len() > 4096 || start + data.len() > m.ram.len() {
                return Err("snapshot is corrupt: RAM page outside RAM".into());
            }
            m.ram[start..start + data.len()].copy_from_slice(data);
        }
        if self.rom.len() > isa_spec::cr::memmap::ROM_SIZE as usize {
            return Err("snapshot is corrupt: ROM too large".into());
        }
        m.rom = self.rom.clone();
        m.reset_pc = self.reset_pc;
        m.cpu.pc = self.pc;
        m.code_epoch += 1;
        Ok(())
    }
}

/// A change the user made to the machine.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Mod {
    /// A register: kind (0 general, 1 pc, 2 ring, 3 control register), index, value.
    Var(u8, u8, u32),
    /// Physical bytes written.
    Mem(Vec<(u32, u8)>),
    /// A hardware reset.
    Reset,
}

impl Mod {
    /// The change `set $var = value` makes.
    pub fn var(v: Var, value: u32) -> Option<Mod> {
        Some(match v {
            Var::Reg(r) => Mod::Var(0, r, value),
            Var::Pc => Mod::Var(1, 0, value),
            Var::Ring => Mod::Var(2, 0, value),
            Var::Cr(c) => Mod::Var(3, c, value),
            Var::Cycles | Var::Retired | Var::Steps => return None,
        })
    }

    /// Applies it.
    pub fn apply(&self, m: &mut Machine) -> Result<(), String> {
        match self {
            Mod::Var(kind, idx, value) => {
                let v = match kind {
                    0 if *idx < 32 => Var::Reg(*idx),
                    1 => Var::Pc,
                    2 => Var::Ring,
                    3 if (*idx as usize) < isa_spec::cr::NUM_CRS => Var::Cr(*idx),
                    _ => return Err("snapshot is corrupt: unknown register change".into()),
                };
                v.write(m, *value)
            }
            Mod::Mem(bytes) => {
                for (pa, b) in bytes {
                    if !m.poke_phys(*pa, &[*b]) {
                        return Err("snapshot is corrupt: memory change outside RAM".into());
                    }
                }
                m.watch_hit = false;
                Ok(())
            }
            Mod::Reset => {
                m.reset();
                Ok(())
            }
        }
    }
}

/// A summary of the saved state, checked after re-execution.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Steps.
    pub steps: u64,
    /// pc.
    pub pc: u32,
    /// General registers.
    pub regs: Vec<u32>,
    /// Control registers.
    pub crs: Vec<u32>,
    /// Cycle counter.
    pub cycles: u64,
    /// Instructions retired.
    pub retired: u64,
    /// CRC-32 of RAM.
    pub ram_crc: u32,
}

impl Check {
    /// Summarizes `m`.
    pub fn of(m: &Machine) -> Check {
        Check {
            steps: m.steps,
            pc: m.cpu.pc,
            regs: m.cpu.regs.to_vec(),
            crs: m.cpu.crs.to_vec(),
            cycles: m.cpu.cycles,
            retired: m.cpu.retired,
            ram_crc: crc32fast::hash(&m.ram),
        }
    }
}

/// Everything in a snapshot file's payload.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// The configuration.
    pub config: MachineConfig,
    /// The starting image.
    pub image: Image,
    /// The user's changes, in order, each at its step.
    pub mods: Vec<(u64, Mod)>,
    /// The saved state's summary (its `steps` is where re-execution stops).
    pub check: Check,
}

impl SnapshotFile {
    /// Encodes the whole file.
    pub fn encode(&self) -> Result<Vec<u8>, String> {
        let payload = postcard::to_allocvec(self).map_err(|e| format!("cannot encode: {e}"))?;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Decodes a file, refusing anything that is not an intact version-1 snapshot.
    pub fn decode(bytes: &[u8]) -> Result<SnapshotFile, String> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err("not a Ringfort snapshot (bad magic)".into());
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(format!(
                "snapshot format version {version} is not supported (this ringfort reads \
                 version {VERSION})"
            ));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != len {
            return Err(format!(
                "snapshot is corrupt: truncated or padded ({} payload bytes, header says {len})",
                payload.len()
            ));
        }
        if crc32fast::hash(payload) != crc {
            return Err("snapshot is corrupt: checksum mismatch".into());
        }
        let f: SnapshotFile =
            postcard::from_bytes(payload).map_err(|e| format!("snapshot is corrupt: {e}"))?;
        if f.config.ram_size == 0 || f.config.ram_size > isa_spec::cr::memmap::RAM_MAX {
            return Err("snapshot is corrupt: impossible RAM size".into());
        }
        Ok(f)
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    emulator::files::write_atomic(path, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_and_refusals() {
        let f = SnapshotFile {
            config: MachineConfig {
                ram_size: 1 << 20,
                program: Some("p.s".into()),
                engine: "interp".into(),
            },
            image: Image {
                ram_pages: vec![(1, vec![1, 2, 3])],
                rom: vec![],
                reset_pc: 0x40,
                pc: 0x40,
            },
            mods: vec![
                (3, Mod::Var(0, 5, 7)),
                (9, Mod::Mem(vec![(0x100, 1)])),
                (9, Mod::Reset),
            ],
            check: Check {
                steps: 12,
                pc: 0x44,
                regs: vec![0; 32],
                crs: vec![0; 17],
                cycles: 30,
                retired: 12,
                ram_crc: 5,
            },
        };
        let bytes = f.encode().unwrap();
        assert_eq!(SnapshotFile::decode(&bytes).unwrap(), f);
        let mut bad = bytes.clone();
        let n = bad.len();
        bad[n - 3] ^= 0x40;
        assert!(SnapshotFile::decode(&bad).unwrap_err().contains("checksum"));
        assert!(SnapshotFile::decode(&bytes[..n - 1])
            .unwrap_err()
            .contains("truncated"));
        assert!(
            SnapshotFile::decode(b"\x7fELF\x01\x01\x01\x00................")
                .unwrap_err()
                .contains("magic")
        );
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert!(SnapshotFile::decode(&v2).unwrap_err().contains("version"));
    }
}

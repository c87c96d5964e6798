//! `snapshot save|load FILE`: the machine in a file.
//!
//! A snapshot file holds the machine's state itself ([`emulator::state::MachineState`]: CPU,
//! non-zero RAM pages, ROM, TLB, every device's registers and timing, statistics), so loading
//! one takes the same time however long the machine had run, and gives the same machine under
//! either engine. Host attachments are not in it (the serial back end, the disk image — the
//! image file *is* the disk — and the window): a snapshot is loaded into the machine the
//! session already has, whose configuration (RAM size, disk) must be the one it was taken
//! with.
//!
//! Format (version 2):
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
//! Version 1 files held the program image and the user's changes and were re-executed to the
//! saved step; they are refused with a message saying to take the snapshot again. Files are
//! written to a temporary file next to the target and renamed over it, so a crash never leaves
//! half a file. A wrong magic, version, length or checksum is refused with the reason.

use emulator::state::{size_text, MachineState, StateConfig};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// File magic.
pub const MAGIC: &[u8; 8] = b"RFSNAP\r\n";
/// Current format version.
pub const VERSION: u32 = 2;
const HEADER: usize = 24;

/// Everything in a snapshot file's payload.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SnapshotFile {
    /// Program file the session was started with (informational: symbols come from the
    /// session's own program).
    pub program: Option<String>,
    /// Engine in use when it was saved (informational: a state continues the same on either).
    pub engine: String,
    /// The machine.
    pub state: MachineState,
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

    /// Decodes a file, refusing anything that is not an intact snapshot of this version.
    pub fn decode(bytes: &[u8]) -> Result<SnapshotFile, String> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err("not a Ringfort snapshot (bad magic)".into());
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version == 1 {
            return Err(
                "this is a version-1 snapshot (an older ringfort's, which re-executed the run); \
                 this ringfort reads version 2: load the program and take the snapshot again"
                    .into(),
            );
        }
        if version != VERSION {
            return Err(format!(
                "snapshot format version {version} is not supported (this ringfort reads \
                 version {VERSION}; use the ringfort that wrote it)"
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
        postcard::from_bytes(payload).map_err(|e| format!("snapshot is corrupt: {e}"))
    }
}

/// How to start a session whose machine has configuration `c` (the options that set it).
pub fn options_for(c: &StateConfig) -> String {
    let disk = match c.disk {
        None => "no -drive".to_string(),
        Some(d) => format!(
            "-drive file=IMAGE{} with the {}-sector image it ran with",
            if d.readonly { ",readonly=on" } else { "" },
            d.sectors
        ),
    };
    format!("-m {} and {disk}", size_text(c.ram_size as u64))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    emulator::files::write_atomic(path, |f| f.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use emulator::{Config, Machine};

    #[test]
    fn encode_decode_and_refusals() {
        let mut m = Machine::new(Config {
            ram_size: 1 << 20,
            ..Config::default()
        });
        m.poke_phys(0x1234, &[7]);
        m.cpu.regs[5] = 99;
        let f = SnapshotFile {
            program: Some("p.s".into()),
            engine: "interp".into(),
            state: m.save_state(),
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
        let mut v1 = bytes.clone();
        v1[8] = 1;
        assert!(SnapshotFile::decode(&v1)
            .unwrap_err()
            .contains("take the snapshot again"));
        let mut v3 = bytes.clone();
        v3[8] = 3;
        assert!(SnapshotFile::decode(&v3).unwrap_err().contains("version 3"));
        assert_eq!(
            options_for(&f.state.config),
            "-m 1M and no -drive".to_string()
        );
    }
}

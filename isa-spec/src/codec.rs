//! Encoder and decoder, both driven by the table. Decoding any word gives either an instruction
//! that encodes back to exactly that word, or [`Illegal`].

use crate::cr::NUM_CRS;
use crate::{Format, Insn, Opcode, OPS};
use std::fmt;

/// A word that is not an RF32 instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Illegal(pub u32);

impl fmt::Display for Illegal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "illegal instruction word {:#010x}", self.0)
    }
}

impl std::error::Error for Illegal {}

/// Why an [`Insn`] cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A register number above 31.
    BadRegister(u8),
    /// An immediate outside what the format can hold.
    ImmOutOfRange {
        /// The value given.
        value: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A branch or jump offset that is not a multiple of 4.
    MisalignedOffset(i32),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BadRegister(r) => write!(f, "register r{r} does not exist (r0..r31)"),
            EncodeError::ImmOutOfRange { value, min, max } => {
                write!(f, "value {value} out of range {min}..={max}")
            }
            EncodeError::MisalignedOffset(o) => {
                write!(f, "target offset {o} is not a multiple of 4")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

const NO_OP: u8 = u8::MAX;
/// Largest function code in use plus one (format R).
const FUNCT_SLOTS: usize = 32;

/// Major opcode -> table index (for non-R formats) or `NO_OP`.
const MAJOR_TO_OP: [u8; 64] = {
    let mut t = [NO_OP; 64];
    let mut i = 0;
    while i < OPS.len() {
        if !matches!(OPS[i].format, Format::R) {
            assert!(
                t[OPS[i].major as usize] == NO_OP,
                "two ops share a major opcode"
            );
            t[OPS[i].major as usize] = i as u8;
        }
        i += 1;
    }
    t
};

/// The major opcode of the register-register group.
const R_MAJOR: u32 = 0x01;

/// Function code -> table index within the R group.
const FUNCT_TO_OP: [u8; FUNCT_SLOTS] = {
    let mut t = [NO_OP; FUNCT_SLOTS];
    let mut i = 0;
    while i < OPS.len() {
        if matches!(OPS[i].format, Format::R) {
            assert!(
                OPS[i].major as u32 == R_MAJOR,
                "R-format ops live in major 0x01"
            );
            assert!(MAJOR_TO_OP[R_MAJOR as usize] == NO_OP);
            t[OPS[i].funct as usize] = i as u8;
        }
        i += 1;
    }
    t
};

#[inline]
fn opcode_at(index: u8) -> Opcode {
    OPS[index as usize].opcode
}

#[inline]
fn sext(value: u32, bits: u32) -> i32 {
    ((value << (32 - bits)) as i32) >> (32 - bits)
}

/// Decodes one instruction word.
#[inline]
pub fn decode(word: u32) -> Result<Insn, Illegal> {
    let major = word >> 26;
    let a = ((word >> 21) & 31) as u8;
    let b = ((word >> 16) & 31) as u8;
    let c = ((word >> 11) & 31) as u8;
    let imm16 = word & 0xffff;
    let illegal = Err(Illegal(word));
    if major == R_MAJOR {
        let funct = word & 0x7ff;
        if funct as usize >= FUNCT_SLOTS || FUNCT_TO_OP[funct as usize] == NO_OP {
            return illegal;
        }
        let op = opcode_at(FUNCT_TO_OP[funct as usize]);
        return Ok(Insn {
            op,
            rd: a,
            rs1: b,
            rs2: c,
            imm: 0,
        });
    }
    let index = MAJOR_TO_OP[major as usize];
    if index == NO_OP {
        return illegal;
    }
    let op = opcode_at(index);
    let mut insn = Insn::new(op);
    // `rest` = the bits below the major opcode that the format leaves unused; must be zero.
    let rest_ok = match op.info().format {
        Format::R => unreachable!("handled above"),
        Format::I | Format::Load => {
            insn.rd = a;
            insn.rs1 = b;
            insn.imm = sext(imm16, 16);
            true
        }
        Format::Iu => {
            insn.rd = a;
            insn.rs1 = b;
            insn.imm = imm16 as i32;
            true
        }
        Format::Sh => {
            insn.rd = a;
            insn.rs1 = b;
            insn.imm = imm16 as i32;
            imm16 < 32
        }
        Format::U => {
            insn.rd = a;
            insn.imm = imm16 as i32;
            b == 0
        }
        Format::Store => {
            insn.rs2 = a;
            insn.rs1 = b;
            insn.imm = sext(imm16, 16);
            true
        }
        Format::B => {
            insn.rs1 = a;
            insn.rs2 = b;
            insn.imm = sext(imm16, 16) * 4;
            true
        }
        Format::J => {
            insn.rd = a;
            insn.imm = sext(word & 0x1f_ffff, 21) * 4;
            true
        }
        Format::Cas => {
            insn.rd = a;
            insn.rs1 = b;
            insn.rs2 = c;
            word & 0x7ff == 0
        }
        Format::Gate => {
            insn.imm = imm16 as i32;
            a == 0 && b == 0
        }
        Format::Vec => {
            insn.imm = imm16 as i32;
            a == 0 && b == 0 && imm16 < 64
        }
        Format::R1 => {
            insn.rs1 = b;
            a == 0 && imm16 == 0
        }
        Format::Mfcr => {
            insn.rd = a;
            insn.imm = imm16 as i32;
            b == 0 && (imm16 as usize) < NUM_CRS
        }
        Format::Mtcr => {
            insn.rs1 = b;
            insn.imm = imm16 as i32;
            a == 0 && (imm16 as usize) < NUM_CRS
        }
        Format::N => word & 0x03ff_ffff == 0,
    };
    if rest_ok {
        Ok(insn)
    } else {
        illegal
    }
}

fn check_reg(r: u8) -> Result<u32, EncodeError> {
    if r < 32 {
        Ok(r as u32)
    } else {
        Err(EncodeError::BadRegister(r))
    }
}

fn check_imm(value: i32, min: i64, max: i64) -> Result<u32, EncodeError> {
    let v = value as i64;
    if v < min || v > max {
        Err(EncodeError::ImmOutOfRange { value: v, min, max })
    } else {
        Ok(value as u32)
    }
}

fn word_offset(byte_offset: i32, bits: u32) -> Result<u32, EncodeError> {
    if byte_offset & 3 != 0 {
        return Err(EncodeError::MisalignedOffset(byte_offset));
    }
    let words = byte_offset >> 2;
    let half = 1i64 << (bits - 1);
    check_imm(words, -half, half - 1)
        .map(|w| w & ((1u32 << bits) - 1))
        .map_err(|_| EncodeError::ImmOutOfRange {
            value: byte_offset as i64,
            min: -half * 4,
            max: (half - 1) * 4,
        })
}

/// Encodes one instruction, checking that every field fits.
pub fn encode(insn: &Insn) -> Result<u32, EncodeError> {
    let info = insn.op.info();
    let major = (info.major as u32) << 26;
    let a = |r: u8| check_reg(r).map(|r| r << 21);
    let b = |r: u8| check_reg(r).map(|r| r << 16);
    let c = |r: u8| check_reg(r).map(|r| r << 11);
    let s16 = |v: i32| check_imm(v, -32768, 32767).map(|v| v & 0xffff);
    let u16_ = |v: i32| check_imm(v, 0, 65535);
    let crn = |v: i32| check_imm(v, 0, NUM_CRS as i64 - 1);
    let fields = match info.format {
        Format::R => a(insn.rd)? | b(insn.rs1)? | c(insn.rs2)? | info.funct as u32,
        Format::I | Format::Load => a(insn.rd)? | b(insn.rs1)? | s16(insn.imm)?,
        Format::Iu => a(insn.rd)? | b(insn.rs1)? | u16_(insn.imm)?,
        Format::Sh => a(insn.rd)? | b(insn.rs1)? | check_imm(insn.imm, 0, 31)?,
        Format::U => a(insn.rd)? | u16_(insn.imm)?,
        Format::Store => a(insn.rs2)? | b(insn.rs1)? | s16(insn.imm)?,
        Format::B => a(insn.rs1)? | b(insn.rs2)? | word_offset(insn.imm, 16)?,
        Format::J => a(insn.rd)? | word_offset(insn.imm, 21)?,
        Format::Cas => a(insn.rd)? | b(insn.rs1)? | c(insn.rs2)?,
        Format::Gate => u16_(insn.imm)?,
        Format::Vec => check_imm(insn.imm, 0, 63)?,
        Format::R1 => b(insn.rs1)?,
        Format::Mfcr => a(insn.rd)? | crn(insn.imm)?,
        Format::Mtcr => b(insn.rs1)? | crn(insn.imm)?,
        Format::N => 0,
    };
    Ok(major | fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn decode_then_encode_is_identity(word in any::<u32>()) {
            if let Ok(insn) = decode(word) {
                prop_assert_eq!(encode(&insn), Ok(word), "{:?}", insn);
            }
        }
    }

    #[test]
    fn zero_and_all_ones_are_illegal() {
        assert_eq!(decode(0), Err(Illegal(0)));
        assert_eq!(decode(u32::MAX), Err(Illegal(u32::MAX)));
    }

    /// Every opcode in the table: a sample instruction round-trips and decodes to that opcode.
    #[test]
    fn every_opcode_round_trips() {
        for op in Opcode::all() {
            let mut insn = Insn::new(op);
            match op.info().format {
                Format::R | Format::Cas => {
                    insn.rd = 1;
                    insn.rs1 = 2;
                    insn.rs2 = 31;
                }
                Format::I | Format::Load => {
                    insn.rd = 5;
                    insn.rs1 = 6;
                    insn.imm = -32768;
                }
                Format::Iu | Format::U => {
                    insn.rd = 7;
                    insn.imm = 0xffff;
                    if op.info().format == Format::Iu {
                        insn.rs1 = 8;
                    }
                }
                Format::Sh => {
                    insn.rd = 3;
                    insn.rs1 = 4;
                    insn.imm = 31;
                }
                Format::Store => {
                    insn.rs2 = 9;
                    insn.rs1 = 10;
                    insn.imm = 32767;
                }
                Format::B => {
                    insn.rs1 = 11;
                    insn.rs2 = 12;
                    insn.imm = -4 * 32768;
                }
                Format::J => {
                    insn.rd = 1;
                    insn.imm = 4 * ((1 << 20) - 1);
                }
                Format::Gate => insn.imm = 65535,
                Format::Vec => insn.imm = 63,
                Format::R1 => insn.rs1 = 13,
                Format::Mfcr => {
                    insn.rd = 14;
                    insn.imm = NUM_CRS as i32 - 1;
                }
                Format::Mtcr => {
                    insn.rs1 = 15;
                    insn.imm = 3;
                }
                Format::N => {}
            }
            let word = encode(&insn).unwrap_or_else(|e| panic!("{op:?}: {e}"));
            assert_eq!(decode(word), Ok(insn), "{op:?} word {word:#010x}");
        }
    }

    #[test]
    fn out_of_range_fields_are_refused() {
        let mut i = Insn::new(Opcode::Addi);
        i.imm = 40000;
        assert!(matches!(encode(&i), Err(EncodeError::ImmOutOfRange { .. })));
        let mut b = Insn::new(Opcode::Beq);
        b.imm = 6;
        assert_eq!(encode(&b), Err(EncodeError::MisalignedOffset(6)));
        let mut r = Insn::new(Opcode::Add);
        r.rd = 32;
        assert_eq!(encode(&r), Err(EncodeError::BadRegister(32)));
    }
}

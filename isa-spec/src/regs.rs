//! General registers: numbers and ABI names.

/// ABI names of r0..r31, in order. `fp` is accepted as another name for `s0` (r8).
pub const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// Return address register (r1).
pub const RA: u8 = 1;
/// Stack pointer (r2).
pub const SP: u8 = 2;
/// First argument / return value register; holds the exit code at `halt` (r10).
pub const A0: u8 = 10;

/// Parses `r0`..`r31`, an ABI name, or `fp` (case-insensitive).
pub fn parse_reg(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('r') {
        if let Ok(v) = n.parse::<u8>() {
            if v < 32 && (n == "0" || !n.starts_with('0')) {
                return Some(v);
            }
        }
    }
    if lower == "fp" {
        return Some(8);
    }
    ABI_NAMES.iter().position(|&a| a == lower).map(|p| p as u8)
}

/// The ABI name of register `r` (used by the disassembler).
pub fn reg_name(r: u8) -> &'static str {
    ABI_NAMES[(r & 31) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names_round_trip() {
        for r in 0..32u8 {
            assert_eq!(parse_reg(reg_name(r)), Some(r));
            assert_eq!(parse_reg(&format!("r{r}")), Some(r));
        }
        assert_eq!(parse_reg("fp"), Some(8));
        assert_eq!(parse_reg("r32"), None);
        assert_eq!(parse_reg("r01"), None);
        assert_eq!(parse_reg("x5"), None);
    }
}

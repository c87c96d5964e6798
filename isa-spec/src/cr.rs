//! Control registers, the status word, and the other architectural layouts (vectors and cause
//! codes, gate descriptors, page-table entries, the exception frame, the physical memory map).
//! SPEC.md explains each; the emulator, assembler and debugger take their numbers from here.

/// Control-register numbers, as used by `mfcr`/`mtcr`. All are ring-0 only.
pub mod num {
    /// Status: ring, interrupt enable, paging enable.
    pub const STATUS: u8 = 0;
    /// Physical address of the vector table (64 gate descriptors).
    pub const VBASE: u8 = 1;
    /// Physical address of the gate table.
    pub const GBASE: u8 = 2;
    /// Number of entries in the gate table.
    pub const GLIMIT: u8 = 3;
    /// Physical address of the page directory. Writing it flushes the TLB.
    pub const PTBASE: u8 = 4;
    /// Stack pointer loaded on entry to ring 0 from an outer ring.
    pub const SP0: u8 = 5;
    /// Stack pointer loaded on entry to ring 1 from an outer ring.
    pub const SP1: u8 = 6;
    /// Stack pointer loaded on entry to ring 2 from an outer ring.
    pub const SP2: u8 = 7;
    /// Faulting address of the last exception.
    pub const FADDR: u8 = 8;
    /// Cause of the last exception (vector | detail << 8).
    pub const CAUSE: u8 = 9;
    /// I/O privilege level: MMIO needs CPL <= IOPL.
    pub const IOPL: u8 = 10;
    /// Cycle counter, low 32 bits (read-only).
    pub const CYCLE: u8 = 11;
    /// Cycle counter, high 32 bits (read-only).
    pub const CYCLEH: u8 = 12;
    /// Scratch register for the kernel.
    pub const SCRATCH0: u8 = 13;
    /// Scratch register for the kernel.
    pub const SCRATCH1: u8 = 14;
    /// Scratch register for the kernel.
    pub const SCRATCH2: u8 = 15;
    /// Scratch register for the kernel.
    pub const SCRATCH3: u8 = 16;
}

/// Number of control registers.
pub const NUM_CRS: usize = 17;

/// Control-register names, indexed by number.
pub const CR_NAMES: [&str; NUM_CRS] = [
    "status", "vbase", "gbase", "glimit", "ptbase", "sp0", "sp1", "sp2", "faddr", "cause", "iopl",
    "cycle", "cycleh", "scratch0", "scratch1", "scratch2", "scratch3",
];

/// Parses a control-register name, or `crN`.
pub fn parse_cr(name: &str) -> Option<u8> {
    let lower = name.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix("cr") {
        if let Ok(v) = n.parse::<usize>() {
            return (v < NUM_CRS).then_some(v as u8);
        }
    }
    CR_NAMES.iter().position(|&c| c == lower).map(|p| p as u8)
}

/// Bits of the status register.
pub mod status {
    /// Current privilege level (ring), bits 1:0.
    pub const RING_MASK: u32 = 0b11;
    /// Interrupt enable.
    pub const IE: u32 = 1 << 2;
    /// Paging enable.
    pub const PG: u32 = 1 << 3;
    /// Every bit that exists; the others read as zero and ignore writes.
    pub const WRITABLE: u32 = RING_MASK | IE | PG;
}

/// Vector numbers. Exceptions use 0..31, interrupt lines 32..47, software traps any vector.
pub mod vector {
    /// Illegal instruction word.
    pub const ILLEGAL: u8 = 1;
    /// Sensitive instruction outside ring 0.
    pub const PRIVILEGE: u8 = 2;
    /// Misaligned load, store or fetch.
    pub const MISALIGNED: u8 = 3;
    /// Access to unmapped physical memory, or a write to ROM.
    pub const BUS_ERROR: u8 = 4;
    /// Page fault (detail: access kind and reason).
    pub const PAGE_FAULT: u8 = 5;
    /// Refused gate call, `retg` or `trap` (detail: the rule).
    pub const GATE_FAULT: u8 = 6;
    /// Division or remainder by zero.
    pub const DIVIDE: u8 = 7;
    /// `brk`.
    pub const BREAKPOINT: u8 = 8;
    /// MMIO access with CPL > IOPL.
    pub const IO_PRIVILEGE: u8 = 9;
    /// A fault while delivering a fault.
    pub const DOUBLE_FAULT: u8 = 10;
    /// First interrupt line's vector (line n uses `IRQ_BASE + n`).
    pub const IRQ_BASE: u8 = 32;
    /// Number of interrupt lines.
    pub const IRQ_LINES: u8 = 16;
    /// Number of vectors in the table.
    pub const COUNT: u8 = 64;

    /// A short name for a vector, for diagnostics.
    pub fn name(v: u8) -> &'static str {
        match v {
            ILLEGAL => "illegal instruction",
            PRIVILEGE => "privileged instruction",
            MISALIGNED => "misaligned access",
            BUS_ERROR => "bus error",
            PAGE_FAULT => "page fault",
            GATE_FAULT => "gate fault",
            DIVIDE => "divide by zero",
            BREAKPOINT => "breakpoint",
            IO_PRIVILEGE => "I/O privilege",
            DOUBLE_FAULT => "double fault",
            32..=47 => "interrupt",
            _ => "software trap",
        }
    }
}

/// Detail codes carried in bits 15:8 of `cause` for gate faults: the rule that failed.
pub mod gate_rule {
    /// Gate index >= glimit (or vector >= 64 for `trap`).
    pub const LIMIT: u8 = 1;
    /// Descriptor's present bit clear.
    pub const NOT_PRESENT: u8 = 2;
    /// Caller ring > the descriptor's DPL.
    pub const DPL: u8 = 3;
    /// Target ring > caller ring (a call outward).
    pub const OUTWARD: u8 = 4;
    /// `retg` frame names a ring more privileged than the current one.
    pub const RETURN_INWARD: u8 = 5;
    /// `retg` frame holds a malformed status word (bits other than the ring set).
    pub const BAD_FRAME: u8 = 6;
    /// Entry address in the descriptor is not 4-byte aligned.
    pub const BAD_ENTRY: u8 = 7;
}

/// Detail codes for page faults: bits 9:8 of `cause` = access, bits 11:10 = reason.
pub mod page_fault {
    /// Access kind: read.
    pub const READ: u8 = 0;
    /// Access kind: write.
    pub const WRITE: u8 = 1;
    /// Access kind: instruction fetch.
    pub const EXEC: u8 = 2;
    /// Reason: directory or table entry not present.
    pub const NOT_PRESENT: u8 = 0;
    /// Reason: R, W or X bit clear for this access.
    pub const PERMISSION: u8 = 1;
    /// Reason: current ring is outside the page's ring field.
    pub const RING: u8 = 2;

    /// The detail byte for an access kind and a reason.
    pub const fn detail(access: u8, reason: u8) -> u8 {
        access | (reason << 2)
    }
}

/// Builds a `cause` word.
pub const fn cause(vector: u8, detail: u8) -> u32 {
    vector as u32 | (detail as u32) << 8
}

/// Gate descriptor layout (8 bytes, used by the gate table and the vector table).
pub mod gate {
    /// Size of one descriptor in bytes.
    pub const SIZE: u32 = 8;
    /// Word 1 bit 0: present.
    pub const PRESENT: u32 = 1;
    /// Word 1 bits 2:1: target ring.
    pub const TARGET_SHIFT: u32 = 1;
    /// Word 1 bits 4:3: DPL, the outermost ring allowed to call.
    pub const DPL_SHIFT: u32 = 3;
    /// Word 1 bits 8:5: parameter words to copy (0..15).
    pub const PARAMS_SHIFT: u32 = 5;

    /// Encodes word 1 of a descriptor.
    pub const fn flags(present: bool, target: u32, dpl: u32, params: u32) -> u32 {
        present as u32
            | (target & 3) << TARGET_SHIFT
            | (dpl & 3) << DPL_SHIFT
            | (params & 15) << PARAMS_SHIFT
    }
}

/// Gate-call return frame (on the target stack, lowest address first): return pc, caller status
/// (ring), caller sp, then the copied parameter words.
pub const GATE_FRAME_WORDS: u32 = 3;

/// Exception frame (on the target stack, lowest address first): pc, old status, cause, fault
/// address, old sp.
pub const EXCEPTION_FRAME_WORDS: u32 = 5;

/// Page-table entry bits (directory and table entries share the layout).
pub mod pte {
    /// Present.
    pub const P: u32 = 1 << 0;
    /// Readable.
    pub const R: u32 = 1 << 1;
    /// Writable.
    pub const W: u32 = 1 << 2;
    /// Executable.
    pub const X: u32 = 1 << 3;
    /// Bits 5:4: outermost ring that may access the page.
    pub const RING_SHIFT: u32 = 4;
    /// Accessed (set by the walker).
    pub const A: u32 = 1 << 6;
    /// Dirty (set by the walker on a write).
    pub const D: u32 = 1 << 7;
    /// Physical frame number bits 31:12.
    pub const FRAME_MASK: u32 = 0xffff_f000;
}

/// Page size in bytes.
pub const PAGE_SIZE: u32 = 4096;

/// The physical memory map.
pub mod memmap {
    /// RAM starts at physical 0.
    pub const RAM_BASE: u32 = 0;
    /// Largest RAM size (RAM must end below the MMIO window).
    pub const RAM_MAX: u32 = 0xC000_0000;
    /// Start of the MMIO window (device register blocks, 4 KiB each).
    pub const MMIO_BASE: u32 = 0xF000_0000;
    /// End (exclusive) of the MMIO register window.
    pub const MMIO_END: u32 = 0xF001_0000;
    /// Framebuffer memory (also MMIO: ring <= IOPL).
    pub const FB_BASE: u32 = 0xF100_0000;
    /// Framebuffer window size.
    pub const FB_SIZE: u32 = 0x0100_0000;
    /// Boot ROM base; the reset pc when no program entry is given.
    pub const ROM_BASE: u32 = 0xFFF0_0000;
    /// Boot ROM size.
    pub const ROM_SIZE: u32 = 0x0010_0000;
    /// Interrupt controller registers.
    pub const PIC: u32 = 0xF000_0000;
    /// Timer registers.
    pub const TIMER: u32 = 0xF000_1000;
    /// UART registers.
    pub const UART: u32 = 0xF000_2000;
    /// Block device registers.
    pub const DISK: u32 = 0xF000_3000;
    /// Framebuffer control registers.
    pub const FBCTL: u32 = 0xF000_4000;
    /// Keyboard registers.
    pub const KEYBOARD: u32 = 0xF000_5000;
    /// Real-time clock registers.
    pub const RTC: u32 = 0xF000_6000;
    /// Power/reset controller registers.
    pub const POWER: u32 = 0xF000_7000;
    /// Camera registers.
    pub const CAMERA: u32 = 0xF000_8000;
}

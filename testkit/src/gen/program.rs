//! Generated programs: a fixed prologue (vectors, gates, page tables, timer, ring drop) and a
//! random body of [`Step`]s, rendered as RF32 assembly.

use super::*;

// ------------------------------------------------------------------------------------------
// Programs
// ------------------------------------------------------------------------------------------

/// Where generated programs put things (physical addresses; identity-mapped when paging is on).
pub mod layout {
    /// Kernel text: `_start`, the exception handlers.
    pub const KTEXT: u32 = 0x0000;
    /// Vector table (64 descriptors).
    pub const VECTORS: u32 = 0x1000;
    /// Gate table.
    pub const GATES: u32 = 0x1200;
    /// Page directory.
    pub const PGDIR: u32 = 0x2000;
    /// Page table for virtual 0..4 MiB.
    pub const PT_LOW: u32 = 0x3000;
    /// Page table for the device window (virtual 0xF0000000..).
    pub const PT_MMIO: u32 = 0x4000;
    /// Gate services and the handlers that run in rings 1-3 (a ring-3 executable page).
    pub const SVC: u32 = 0x5000;
    /// The generated body.
    pub const UCODE: u32 = 0x6000;
    /// Four data pages.
    pub const DATA: u32 = 0x8000;
    /// Ring-2 entry stack page (`sp2` = its top).
    pub const STK2: u32 = 0xC000;
    /// Ring-1 entry stack page (`sp1` = its top).
    pub const STK1: u32 = 0xD000;
    /// Ring-0 entry stack page (`sp0` = its top).
    pub const STK0: u32 = 0xE000;
    /// The body's own stack page (`sp` starts at its top).
    pub const USTK: u32 = 0xF000;
    /// RAM size: 16 pages. Physical addresses at and above it are unmapped.
    pub const RAM: u32 = 0x1_0000;
    /// Pages of RAM.
    pub const PAGES: usize = (RAM >> 12) as usize;
    /// Alias pages: virtual pages 0x10.. (just past RAM) mapped onto random frames.
    pub const ALIAS: u32 = 0x1_0000;
    /// Number of alias pages.
    pub const ALIASES: usize = 4;
    /// Device register blocks mapped when paging is on (PIC, TIMER, UART, DISK, FBCTL,
    /// KEYBOARD, RTC, POWER).
    pub const MMIO_PAGES: usize = 8;
    /// Number of gates (gate 0 is the exit gate).
    pub const NGATES: u32 = 6;
}

use layout::*;

/// The page-table flag bits of one page (P, R, W, X and the ring field).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PageFlags(pub u32);

impl PageFlags {
    /// Present with the given permissions and ring field.
    pub const fn new(r: bool, w: bool, x: bool, ring: u32) -> PageFlags {
        PageFlags(
            pte::P
                | if r { pte::R } else { 0 }
                | if w { pte::W } else { 0 }
                | if x { pte::X } else { 0 }
                | (ring & 3) << pte::RING_SHIFT,
        )
    }
}

impl fmt::Debug for PageFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = |bit: u32, c: char| if self.0 & bit != 0 { c } else { '-' };
        write!(
            f,
            "{}{}{}{}r{}",
            b(pte::P, 'P'),
            b(pte::R, 'R'),
            b(pte::W, 'W'),
            b(pte::X, 'X'),
            (self.0 >> pte::RING_SHIFT) & 3
        )
    }
}

/// Random page flags: mostly present, any permissions, any ring.
pub fn page_flags() -> impl Strategy<Value = PageFlags> {
    (
        prop::bool::weighted(0.9),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u32..4,
    )
        .prop_map(|(p, r, w, x, ring)| {
            let f = PageFlags::new(r, w, x, ring);
            PageFlags(if p { f.0 } else { f.0 & !pte::P })
        })
}

/// One entry of the gate or vector table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateSpec {
    /// Present bit.
    pub present: bool,
    /// Ring the service runs in.
    pub target: u32,
    /// Outermost ring allowed to call.
    pub dpl: u32,
    /// Parameter words (gates only).
    pub params: u32,
    /// Add 2 to the entry (a misaligned entry: `BAD_ENTRY`).
    pub misaligned: bool,
}

/// A random gate descriptor: usually present and aligned, any rings and up to 3 parameters.
pub fn gate_spec() -> impl Strategy<Value = GateSpec> {
    (
        prop::bool::weighted(0.9),
        0u32..4,
        0u32..4,
        0u32..4,
        prop::bool::weighted(0.05),
    )
        .prop_map(|(present, target, dpl, params, misaligned)| GateSpec {
            present,
            target,
            dpl,
            params,
            misaligned,
        })
}

/// Where a generated memory access goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    /// An offset into the four data pages.
    Data(u32),
    /// An offset into the body's code page (reads of code; writes are self-modifying code).
    Code(u32),
    /// An offset into the body's stack page.
    Stack(u32),
    /// An offset into the vector/gate table page.
    Tables(u32),
    /// An offset into the page tables.
    PageTables(u32),
    /// A device register: block (0..16) and offset.
    Mmio(u32, u32),
    /// An offset into the framebuffer window.
    Fb(u32),
    /// An offset into the boot ROM.
    Rom(u32),
    /// An offset into the alias pages.
    Alias(u32),
    /// Any address at all.
    Raw(u32),
}

impl Addr {
    /// The virtual address.
    pub fn va(self) -> u32 {
        match self {
            Addr::Data(o) => DATA + o % 0x4000,
            Addr::Code(o) => UCODE + o % 0x1000,
            Addr::Stack(o) => USTK + o % 0x1000,
            Addr::Tables(o) => VECTORS + o % 0x1000,
            Addr::PageTables(o) => PGDIR + o % 0x3000,
            Addr::Mmio(b, o) => memmap::MMIO_BASE + (b % 16) * 0x1000 + o % 0x60,
            Addr::Fb(o) => memmap::FB_BASE + o % memmap::FB_SIZE,
            Addr::Rom(o) => memmap::ROM_BASE + o % memmap::ROM_SIZE,
            Addr::Alias(o) => ALIAS + o % (ALIASES as u32 * 0x1000),
            Addr::Raw(a) => a,
        }
    }
}

/// A random access target: mostly data, sometimes everything else.
pub fn addr() -> impl Strategy<Value = Addr> {
    prop_oneof![
        10 => (0u32..0x4000).prop_map(Addr::Data),
        2 => (0u32..0x1000).prop_map(Addr::Code),
        2 => (0u32..0x1000).prop_map(Addr::Stack),
        1 => (0u32..0x1000).prop_map(Addr::Tables),
        1 => (0u32..0x3000).prop_map(Addr::PageTables),
        3 => (prop_oneof![4 => 0u32..3, 1 => 0u32..16], 0u32..0x60).prop_map(|(b, o)| Addr::Mmio(b, o)),
        1 => (0u32..0x100).prop_map(Addr::Fb),
        1 => (0u32..0x100).prop_map(Addr::Rom),
        2 => (0u32..0x4000).prop_map(Addr::Alias),
        1 => any::<u32>().prop_map(Addr::Raw),
    ]
}

/// Sensitive instructions (and `halt`/`wfi`/`iret`) as body steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivOp {
    /// `mfcr rd, cr`.
    Mfcr(u8, u8),
    /// `mtcr cr, rs1`.
    Mtcr(u8, u8),
    /// `tlbflush`.
    Tlbflush,
    /// `tlbinval rs1`.
    Tlbinval(u8),
    /// `iret`.
    Iret,
    /// `wfi`.
    Wfi,
    /// `halt`.
    Halt,
}

/// One element of a generated body. Targets name other steps by index (taken modulo the body
/// length, so removing steps while shrinking keeps every target valid; the step count itself
/// names the end of the body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A register-register instruction (ALU, multiply, divide).
    Alu(Opcode, u8, u8, u8),
    /// A register-immediate instruction (I, Iu, Sh, U formats).
    AluImm(Opcode, u8, u8, i32),
    /// `li rd, value`.
    Li(u8, u32),
    /// A load `op rd, off(t6)` with t6 set so that the access goes to `addr`.
    Load(Opcode, u8, Addr, i16),
    /// A store `op rs2, off(t6)`, likewise.
    Store(Opcode, u8, Addr, i16),
    /// `cas rd, rs2, (t6)` at `addr`.
    Cas(u8, u8, Addr),
    /// A conditional branch to a step.
    Branch(Opcode, u8, u8, usize),
    /// `jal rd, step`.
    Jal(u8, usize),
    /// `jalr rd, skew(t6)` with t6 = the step's address (a non-zero skew misaligns).
    Jalr(u8, usize, i16),
    /// Push two parameter words, `callg n`, pop them.
    Callg(u16, u8, u8),
    /// Push a gate frame [step, ring word, sp + 12] and `retg` through it (outward, same-ring,
    /// inward or malformed, depending on the ring word).
    Retg(usize, u32),
    /// `trap v`.
    Trap(u8),
    /// `brk`.
    Brk,
    /// `fence`.
    Fence,
    /// A sensitive instruction.
    Priv(PrivOp),
    /// Overwrite step `target` with the word `word` (self-modifying code).
    Patch(usize, u32),
    /// A raw word in the instruction stream (usually illegal).
    Word(u32),
}

/// Registers the body may use (everything but `sp`, `gp`, `tp`; `t5`/`t6` are also scratch).
pub const BODY_REGS: [u8; 29] = [
    0, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    28, 29, 30, 31,
];

/// A register from [`BODY_REGS`].
pub fn body_reg() -> impl Strategy<Value = u8> + Clone {
    select(&BODY_REGS[..])
}

fn ops_of(format: Format) -> Vec<Opcode> {
    OPS.iter()
        .filter(|o| o.format == format)
        .map(|o| o.opcode)
        .collect()
}

fn imm_for(op: Opcode) -> BoxedStrategy<i32> {
    match op.info().format {
        Format::I => simm16(),
        Format::Sh => (0i32..32).boxed(),
        _ => (0i32..=0xffff).boxed(),
    }
}

/// A random body step (`wfi`: whether sensitive steps may include `wfi`, see
/// [`ProgramConfig::wfi`]).
pub fn step(wfi: bool) -> impl Strategy<Value = Step> {
    let r = body_reg;
    let target = 0usize..64;
    let imm_ops: Vec<Opcode> = [Format::I, Format::Iu, Format::Sh, Format::U]
        .into_iter()
        .flat_map(ops_of)
        .collect();
    let benign = prop_oneof![
        3 => insn_of(Opcode::Addi),
        1 => insn_of(Opcode::Xori),
        1 => insn_of(Opcode::Add),
        1 => insn(),
    ]
    .prop_map(|i| encode(&i).expect("valid"));
    prop_oneof![
        12 => (select(ops_of(Format::R)), r(), r(), r()).prop_map(|(o, d, a, b)| Step::Alu(o, d, a, b)),
        10 => (select(imm_ops), r(), r())
            .prop_flat_map(|(o, d, a)| imm_for(o).prop_map(move |i| Step::AluImm(o, d, a, i))),
        6 => (r(), word()).prop_map(|(d, v)| Step::Li(d, v)),
        8 => (select(ops_of(Format::Load).into_iter().filter(|o| *o != Opcode::Jalr).collect::<Vec<_>>()),
              r(), addr(), -8i16..8)
            .prop_map(|(o, d, a, off)| Step::Load(o, d, a, off)),
        8 => (select(ops_of(Format::Store)), r(), addr(), -8i16..8)
            .prop_map(|(o, s, a, off)| Step::Store(o, s, a, off)),
        2 => (r(), r(), addr()).prop_map(|(d, s, a)| Step::Cas(d, s, a)),
        6 => (select(ops_of(Format::B)), r(), r(), target.clone())
            .prop_map(|(o, a, b, t)| Step::Branch(o, a, b, t)),
        2 => (r(), target.clone()).prop_map(|(d, t)| Step::Jal(d, t)),
        2 => (r(), target.clone(), prop_oneof![6 => Just(0i16), 1 => -4i16..8]).prop_map(|(d, t, s)| Step::Jalr(d, t, s)),
        3 => (prop_oneof![1 => Just(0u16), 12 => 1u16..(NGATES as u16 + 2), 1 => any::<u16>()], r(), r())
            .prop_map(|(n, a, b)| Step::Callg(n, a, b)),
        2 => (0u8..64).prop_map(Step::Trap),
        2 => (target.clone(), prop_oneof![8 => 0u32..4, 1 => any::<u32>()]).prop_map(|(t, w)| Step::Retg(t, w)),
        1 => Just(Step::Brk),
        1 => Just(Step::Fence),
        3 => priv_op(wfi).prop_map(Step::Priv),
        3 => (target, prop_oneof![4 => benign, 1 => any::<u32>()]).prop_map(|(t, w)| Step::Patch(t, w)),
        1 => prop_oneof![any::<u32>(), insn_word()].prop_map(Step::Word),
    ]
}

fn priv_op(wfi: bool) -> impl Strategy<Value = PrivOp> {
    let r = body_reg;
    let mut arms: Vec<(u32, BoxedStrategy<PrivOp>)> = vec![
        (
            4,
            (r(), 0u8..NUM_CRS as u8)
                .prop_map(|(d, c)| PrivOp::Mfcr(d, c))
                .boxed(),
        ),
        (
            3,
            (
                select(vec![0u8, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
                r(),
            )
                .prop_map(|(c, s)| PrivOp::Mtcr(c, s))
                .boxed(),
        ),
        (1, Just(PrivOp::Tlbflush).boxed()),
        (2, r().prop_map(PrivOp::Tlbinval).boxed()),
        (1, Just(PrivOp::Iret).boxed()),
        (1, Just(PrivOp::Halt).boxed()),
    ];
    // Left out entirely when off, so that shrinking cannot produce one either.
    if wfi {
        arms.push((1, Just(PrivOp::Wfi).boxed()));
    }
    proptest::strategy::Union::new_weighted(arms)
}

/// What kind of programs to generate.
#[derive(Clone, Copy, Debug)]
pub struct ProgramConfig {
    /// Rings the body may start in.
    pub rings: (u8, u8),
    /// Probability that paging is on.
    pub paging: f64,
    /// Probability of a periodic timer interrupt.
    pub timer: f64,
    /// Largest body (steps).
    pub max_steps: usize,
    /// Generate `wfi` steps (on by default). Turn it off for engines that cannot bound a
    /// `wfi` wait by their cycle budget (`Machine::wait_limit`): a ring-0 `wfi` while a periodic
    /// timer runs but no line can become deliverable would otherwise never return.
    pub wfi: bool,
}

impl Default for ProgramConfig {
    fn default() -> Self {
        ProgramConfig {
            rings: (0, 3),
            paging: 0.5,
            timer: 0.3,
            max_steps: 40,
            wfi: true,
        }
    }
}

/// A generated program: machine set-up plus a body. `Debug` prints the rendered assembly.
#[derive(Clone, PartialEq)]
pub struct Program {
    /// Ring the body starts in (0 = no drop).
    pub ring: u8,
    /// Paging on.
    pub paging: bool,
    /// `iopl`.
    pub iopl: u8,
    /// Periodic timer period, with interrupts enabled.
    pub timer: Option<u32>,
    /// Flags of the 16 RAM pages (identity-mapped).
    pub pages: [PageFlags; PAGES],
    /// Alias pages: frame number and flags.
    pub aliases: [(u32, PageFlags); ALIASES],
    /// Flags of the device pages.
    pub mmio: [PageFlags; MMIO_PAGES],
    /// Gates 1..NGATES (gate 0 is the exit gate).
    pub gates: Vec<GateSpec>,
    /// Vectors 33..63 (0..32 go to ring-0 handlers).
    pub vectors: Vec<GateSpec>,
    /// Initial values of [`BODY_REGS`] (without r0).
    pub regs: Vec<u32>,
    /// The body.
    pub body: Vec<Step>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "\n----- program (RF32 assembly) -----")?;
        f.write_str(&self.render())?;
        write!(f, "----- end of program -----")
    }
}

/// Default flags of each RAM page for a body in `ring`.
pub fn default_pages(ring: u8) -> [PageFlags; PAGES] {
    let u = ring as u32;
    let mut p = [PageFlags::new(true, true, false, 0); PAGES];
    p[(KTEXT >> 12) as usize] = PageFlags::new(true, false, true, 0);
    p[(SVC >> 12) as usize] = PageFlags::new(true, false, true, 3);
    p[(UCODE >> 12) as usize] = PageFlags::new(true, false, true, u);
    p[(UCODE >> 12) as usize + 1] = PageFlags::new(true, false, true, u);
    p[(STK2 >> 12) as usize] = PageFlags::new(true, true, false, 2);
    p[(STK1 >> 12) as usize] = PageFlags::new(true, true, false, 1);
    p[(USTK >> 12) as usize] = PageFlags::new(true, true, false, u);
    for d in 0..4 {
        p[(DATA >> 12) as usize + d] = PageFlags::new(true, true, false, u);
    }
    p
}

/// A random program.
pub fn program(cfg: ProgramConfig) -> impl Strategy<Value = Program> {
    let setup = (
        cfg.rings.0..=cfg.rings.1,
        prop::bool::weighted(cfg.paging),
        0u8..4,
        prop::option::weighted(cfg.timer, 150u32..2000),
    );
    let tables = (
        prop::collection::vec(gate_spec(), NGATES as usize - 1),
        prop::collection::vec(gate_spec(), 31),
        prop::collection::vec(word(), BODY_REGS.len() - 1),
    );
    let pages = (
        prop::collection::vec(page_flags(), 4),
        // A few overrides of any page ("chaos"), usually none.
        prop_oneof![
            4 => Just(Vec::new()),
            1 => prop::collection::vec((0usize..PAGES, page_flags()), 1..3),
        ],
        prop::array::uniform4((0u32..PAGES as u32, page_flags())),
        prop::array::uniform8(prop_oneof![
            6 => Just(PageFlags::new(true, true, false, 3)),
            1 => page_flags(),
        ]),
        any::<bool>(),
    );
    let body = prop::collection::vec(step(cfg.wfi), 1..=cfg.max_steps.max(1));
    (setup, tables, pages, body).prop_map(
        |((ring, paging, iopl, timer), (gates, vectors, regs), pages, body)| {
            let (data, chaos, aliases, mmio, writable_code) = pages;
            let mut p = default_pages(ring);
            for (d, f) in data.into_iter().enumerate() {
                p[(DATA >> 12) as usize + d] = f;
            }
            if writable_code {
                let c = (UCODE >> 12) as usize;
                p[c].0 |= pte::W;
            }
            for (i, f) in chaos {
                p[i] = f;
            }
            Program {
                ring,
                paging,
                iopl,
                timer,
                pages: p,
                aliases,
                mmio,
                gates,
                vectors,
                regs,
                body,
            }
        },
    )
}

fn r(n: u8) -> &'static str {
    reg_name(n)
}

impl Program {
    /// Word 1 of a descriptor.
    fn flags(g: &GateSpec) -> u32 {
        gate::flags(g.present, g.target, g.dpl, g.params)
    }

    /// Renders the program as RF32 assembly (assemble it with base 0).
    pub fn render(&self) -> String {
        let mut s = String::new();
        let n = self.body.len();
        let label = |t: usize| format!("step{}", t % (n + 1));
        let w = &mut s;
        self.render_prologue(w);
        self.render_tables(w);
        // The body.
        let _ = writeln!(w, "        .org {UCODE:#x}\nbody:");
        for (i, st) in self.body.iter().enumerate() {
            let _ = write!(w, "step{i}:");
            self.render_step(w, st, &label);
        }
        let _ = writeln!(w, "step{n}:\n        callg 0\nspin:\n        j spin");
        s
    }

    /// The start: control registers, the optional timer, the ring-3 (or 1, 2) entry frame,
    /// the body registers, then the drop to the body; and the ring-0 fault and timer handlers.
    fn render_prologue(&self, w: &mut String) {
        let status = if self.paging { 8 } else { 0 } | if self.timer.is_some() { 4 } else { 0 };
        let _ = writeln!(
            w,
            "# generated: ring {}, paging {}, iopl {}, timer {:?}",
            self.ring, self.paging, self.iopl, self.timer
        );
        let _ = writeln!(w, "        .text\n        .global _start\n_start:");
        for (cr, v) in [
            ("vbase", VECTORS),
            ("gbase", GATES),
            ("glimit", NGATES),
            ("sp0", STK0 + 0x1000),
            ("sp1", STK1 + 0x1000),
            ("sp2", STK2 + 0x1000),
            ("ptbase", PGDIR),
            ("iopl", self.iopl as u32),
        ] {
            let _ = writeln!(w, "        li t0, {v:#x}\n        mtcr {cr}, t0");
        }
        if let Some(period) = self.timer {
            let _ = writeln!(
                w,
                "        li t0, {:#x}\n        addi t1, zero, 1\n        sw t1, 4(t0)      # PIC ENABLE line 0\n        \
                 li t0, {:#x}\n        li t1, {period}\n        sw t1, 4(t0)      # TIMER PERIOD\n        \
                 addi t1, zero, 7\n        sw t1, 0(t0)      # TIMER CTRL: enable, periodic, irq",
                memmap::PIC,
                memmap::TIMER
            );
        }
        let _ = writeln!(w, "        li sp, {:#x}", USTK + 0x1000);
        if self.ring != 0 {
            let _ = writeln!(
                w,
                "        addi sp, sp, -12\n        la t0, body\n        sw t0, 0(sp)\n        \
                 addi t0, zero, {}\n        sw t0, 4(sp)\n        li t0, {:#x}\n        sw t0, 8(sp)",
                self.ring,
                USTK + 0x1000
            );
        }
        let _ = writeln!(w, "        li t0, {status}\n        mtcr status, t0");
        for (i, v) in self.regs.iter().enumerate() {
            let _ = writeln!(w, "        li {}, {v:#x}", r(BODY_REGS[i + 1]));
        }
        if self.ring != 0 {
            let _ = writeln!(w, "        retg              # drop to ring {}", self.ring);
        } else {
            let _ = writeln!(w, "        j body");
        }
        // Ring-0 handlers.
        let _ = writeln!(
            w,
            "h_skip:                   # faults: resume at (frame pc + 4) & ~3\n        \
             mtcr scratch0, t0\n        lw t0, 0(sp)\n        addi t0, t0, 4\n        srli t0, t0, 2\n        \
             slli t0, t0, 2\n        sw t0, 0(sp)\n        mfcr t0, scratch0\n        iret\n\
             h_resume:                 # brk, traps, other interrupts: resume at frame pc\n        iret\n\
             h_timer:                  # timer: EOI line 0, clear STATUS.fired\n        \
             mtcr scratch0, t0\n        mtcr scratch1, t1\n        li t0, {:#x}\n        sw zero, 12(t0)\n        \
             li t0, {:#x}\n        addi t1, zero, 1\n        sw t1, 8(t0)\n        mfcr t1, scratch1\n        \
             mfcr t0, scratch0\n        iret",
            memmap::PIC,
            memmap::TIMER
        );
    }

    /// The vector and gate tables, the page tables, the gate services and the handler of
    /// vectors that target rings 1-3.
    fn render_tables(&self, w: &mut String) {
        // Tables.
        let _ = writeln!(w, "        .org {VECTORS:#x}\nvectors:");
        for v in 0..64u32 {
            let (entry, flags) = match v {
                8 => ("h_resume".to_string(), gate::flags(true, 0, 3, 0)),
                32 => ("h_timer".to_string(), gate::flags(true, 0, 0, 0)),
                33..=63 => {
                    let g = &self.vectors[(v - 33) as usize];
                    let h = if g.target == 0 { "h_resume" } else { "h_outer" };
                    let off = if g.misaligned { "+2" } else { "" };
                    (format!("{h}{off}"), Self::flags(g))
                }
                _ => ("h_skip".to_string(), gate::flags(true, 0, 0, 0)),
            };
            let _ = writeln!(w, "        .word {entry}, {flags:#x}   # vector {v}");
        }
        let _ = writeln!(w, "        .org {GATES:#x}\ngates:");
        let _ = writeln!(
            w,
            "        .word svc_exit, {:#x}   # gate 0: exit",
            gate::flags(true, 0, 3, 0)
        );
        for (k, g) in self.gates.iter().enumerate() {
            let off = if g.misaligned { "+2" } else { "" };
            let _ = writeln!(
                w,
                "        .word svc{}{off}, {:#x}   # gate {}: {g:?}",
                k + 1,
                Self::flags(g),
                k + 1
            );
        }
        // Page tables.
        let _ = writeln!(w, "        .org {PGDIR:#x}\npgdir:");
        let _ = writeln!(w, "        .word {:#x}", PT_LOW | pte::P);
        let _ = writeln!(
            w,
            "        .org {:#x}",
            PGDIR + 4 * (memmap::MMIO_BASE >> 22)
        );
        let _ = writeln!(w, "        .word {:#x}", PT_MMIO | pte::P);
        let _ = writeln!(w, "        .org {PT_LOW:#x}\npt_low:");
        for (i, f) in self.pages.iter().enumerate() {
            let _ = writeln!(
                w,
                "        .word {:#x}   # {:#07x} {f:?}",
                ((i as u32) << 12) | f.0,
                i << 12
            );
        }
        for (frame, f) in &self.aliases {
            let _ = writeln!(
                w,
                "        .word {:#x}   # alias -> {:#07x} {f:?}",
                (frame << 12) | f.0,
                frame << 12
            );
        }
        let _ = writeln!(w, "        .org {PT_MMIO:#x}\npt_mmio:");
        for (i, f) in self.mmio.iter().enumerate() {
            let _ = writeln!(
                w,
                "        .word {:#x}   # {f:?}",
                (memmap::MMIO_BASE + ((i as u32) << 12)) | f.0
            );
        }
        // Services and the handler for vectors that target rings 1-3.
        let _ = writeln!(w, "        .org {SVC:#x}\nsvc_exit:\n        halt");
        for k in 1..NGATES {
            let _ = writeln!(w, "svc{k}:\n        addi a0, a0, {k}\n        retg");
        }
        let _ = writeln!(
            w,
            "h_outer:                  # rings 1-3: return through the frame with retg\n        \
             sw t0, 12(sp)\n        lw t0, 4(sp)\n        andi t0, t0, 3\n        sw t0, 4(sp)\n        \
             lw t0, 16(sp)\n        sw t0, 8(sp)\n        lw t0, 12(sp)\n        retg"
        );
    }

    fn render_step(&self, w: &mut String, st: &Step, label: &dyn Fn(usize) -> String) {
        let m = |o: Opcode| o.mnemonic();
        let _ = match *st {
            Step::Alu(o, d, a, b) => writeln!(w, "   {} {}, {}, {}", m(o), r(d), r(a), r(b)),
            Step::AluImm(o, d, a, i) => match o.info().format {
                Format::U => writeln!(w, "   {} {}, {i:#x}", m(o), r(d)),
                _ => writeln!(w, "   {} {}, {}, {i}", m(o), r(d), r(a)),
            },
            Step::Li(d, v) => writeln!(w, "   li {}, {v:#x}", r(d)),
            Step::Load(o, d, a, off) => writeln!(
                w,
                "   li t6, {:#x}\n        {} {}, {off}(t6)   # {a:?}",
                a.va().wrapping_sub(off as i32 as u32),
                m(o),
                r(d)
            ),
            Step::Store(o, s, a, off) => writeln!(
                w,
                "   li t6, {:#x}\n        {} {}, {off}(t6)   # {a:?}",
                a.va().wrapping_sub(off as i32 as u32),
                m(o),
                r(s)
            ),
            Step::Cas(d, s, a) => writeln!(
                w,
                "   li t6, {:#x}\n        cas {}, {}, (t6)   # {a:?}",
                a.va(),
                r(d),
                r(s)
            ),
            Step::Branch(o, a, b, t) => writeln!(w, "   {} {}, {}, {}", m(o), r(a), r(b), label(t)),
            Step::Jal(d, t) => writeln!(w, "   jal {}, {}", r(d), label(t)),
            Step::Jalr(d, t, skew) => writeln!(
                w,
                "   la t6, {}\n        jalr {}, {skew}(t6)",
                label(t),
                r(d)
            ),
            Step::Callg(n, a, b) => writeln!(
                w,
                "   addi sp, sp, -8\n        sw {}, 0(sp)\n        sw {}, 4(sp)\n        callg {n}\n        addi sp, sp, 8",
                r(a),
                r(b)
            ),
            Step::Retg(t, ring) => writeln!(
                w,
                "   addi sp, sp, -12\n        la t6, {}\n        sw t6, 0(sp)\n        li t6, {ring:#x}\n        \
                 sw t6, 4(sp)\n        addi t6, sp, 12\n        sw t6, 8(sp)\n        retg",
                label(t)
            ),
            Step::Trap(v) => writeln!(w, "   trap {v}"),
            Step::Brk => writeln!(w, "   brk"),
            Step::Fence => writeln!(w, "   fence"),
            Step::Priv(p) => match p {
                PrivOp::Mfcr(d, c) => writeln!(w, "   mfcr {}, {}", r(d), CR_NAMES[c as usize]),
                PrivOp::Mtcr(c, s) => writeln!(w, "   mtcr {}, {}", CR_NAMES[c as usize], r(s)),
                PrivOp::Tlbflush => writeln!(w, "   tlbflush"),
                PrivOp::Tlbinval(s) => writeln!(w, "   tlbinval {}", r(s)),
                PrivOp::Iret => writeln!(w, "   iret"),
                PrivOp::Wfi => writeln!(w, "   wfi"),
                PrivOp::Halt => writeln!(w, "   halt"),
            },
            Step::Patch(t, word) => writeln!(
                w,
                "   li t5, {word:#x}\n        la t6, {}\n        sw t5, 0(t6)   # patch",
                label(t)
            ),
            Step::Word(word) => writeln!(w, "   .word {word:#x}"),
        };
    }

    /// Assembles the rendered program.
    pub fn assemble(&self) -> Result<assembler::Program, String> {
        let src = assembler::Source::new("generated.s", self.render());
        assembler::assemble(&[src], &assembler::Options::default()).map_err(|d| d.to_string())
    }
}

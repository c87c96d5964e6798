//! Debugger expressions: registers (`$a0`, `$r5`, `$pc`, `$ring`, `$cycles`, control registers
//! such as `$status`), symbols (a symbol stands for its address), memory (`*ADDR` reads a word,
//! `*(u8*)ADDR` a byte), integer arithmetic, comparisons, `&&`, `||` and parentheses.
//!
//! Expressions are parsed once into an [`Expr`] tree (symbols resolved then), so a breakpoint
//! condition costs only a tree walk each time it is checked.
//!
//! Values are 64-bit signed integers; registers and memory read as unsigned 32-bit values.
//! `==` and `!=` compare the low 32 bits, so `$a0 == -1` is true when a0 is `0xffffffff`; use a
//! cast, `(i32)$a0 < 0`, for a signed comparison.

mod parse;

pub use parse::{parse, parse_number, quote, split_assignment, MAX_DEPTH, MAX_TOKENS};

use emulator::engine::{BreakCheck, BreakCmp};
use emulator::Machine;
use isa_spec::cr::{num, parse_cr};
use isa_spec::regs::parse_reg;

/// What an expression may name besides registers: symbols and earlier `print` results.
pub trait Names {
    /// The address of a symbol.
    fn symbol(&self, name: &str) -> Option<u32>;
    /// Symbols starting with `prefix` (for "did you mean" hints).
    fn similar(&self, name: &str) -> Option<String>;
}

/// A machine value an expression can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// General register.
    Reg(u8),
    /// Program counter.
    Pc,
    /// Current ring (status bits 1:0).
    Ring,
    /// Cycle counter (64 bits).
    Cycles,
    /// Instructions retired.
    Retired,
    /// Instruction boundaries passed (what `stepi` counts).
    Steps,
    /// Control register.
    Cr(u8),
}

impl Var {
    /// Parses a `$name` (without the `$`).
    pub fn parse(name: &str) -> Option<Var> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "pc" => Var::Pc,
            "ring" | "cpl" => Var::Ring,
            "cycles" => Var::Cycles,
            "retired" | "insns" | "instructions" => Var::Retired,
            "steps" => Var::Steps,
            _ => {
                if let Some(r) = parse_reg(&lower) {
                    Var::Reg(r)
                } else if let Some(c) = parse_cr(&lower) {
                    Var::Cr(c)
                } else {
                    return None;
                }
            }
        })
    }

    /// Reads it from the machine.
    pub fn read(self, m: &Machine) -> i64 {
        match self {
            Var::Reg(r) => m.cpu.reg(r) as i64,
            Var::Pc => m.cpu.pc as i64,
            Var::Ring => m.cpu.ring() as i64,
            Var::Cycles => m.cpu.cycles as i64,
            Var::Retired => m.cpu.retired as i64,
            Var::Steps => m.steps as i64,
            Var::Cr(c) => m.cpu.read_cr(c) as i64,
        }
    }

    /// Writes it (`set $x = ...`). Errors for read-only values.
    pub fn write(self, m: &mut Machine, v: u32) -> Result<(), String> {
        match self {
            Var::Reg(0) => return Err("r0 (zero) is hard-wired to 0".into()),
            Var::Reg(r) => m.cpu.set_reg(r, v),
            Var::Pc => m.cpu.pc = v,
            Var::Ring => {
                if v > 3 {
                    return Err(format!("ring {v} does not exist (rings are 0..3)"));
                }
                let st = m.cpu.crs[num::STATUS as usize];
                m.cpu.crs[num::STATUS as usize] = (st & !3) | v;
            }
            Var::Cycles | Var::Retired | Var::Steps => {
                return Err("this counter is read-only".into());
            }
            Var::Cr(c) => match c {
                num::CYCLE | num::CYCLEH => return Err("the cycle counter is read-only".into()),
                num::STATUS => {
                    m.cpu.crs[c as usize] = v & isa_spec::cr::status::WRITABLE;
                }
                num::IOPL => m.cpu.crs[c as usize] = v & 3,
                num::PTBASE => {
                    m.cpu.crs[c as usize] = v;
                    m.tlb.flush();
                }
                _ => m.cpu.crs[c as usize] = v,
            },
        }
        Ok(())
    }
}

/// Width and signedness of a memory read or a cast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ty {
    /// Bytes: 1, 2 or 4.
    pub size: u32,
    /// Sign-extend.
    pub signed: bool,
}

impl Ty {
    /// The default memory type (`*ADDR`).
    pub const WORD: Ty = Ty {
        size: 4,
        signed: false,
    };

    /// C names of types wider than 32 bits (refused with a clear error in a cast).
    const WIDE: &'static [&'static str] = &[
        "u64",
        "i64",
        "uint64_t",
        "int64_t",
        "long",
        "long long",
        "unsigned long",
        "unsigned long long",
        "double",
    ];

    fn parse(name: &str) -> Option<Ty> {
        let (size, signed) = match name {
            "u8" | "uint8_t" | "unsigned char" | "byte" => (1, false),
            "i8" | "int8_t" | "char" | "signed char" => (1, true),
            "u16" | "uint16_t" | "unsigned short" | "half" => (2, false),
            "i16" | "int16_t" | "short" => (2, true),
            "u32" | "uint32_t" | "unsigned" | "unsigned int" | "word" => (4, false),
            "i32" | "int32_t" | "int" => (4, true),
            _ => return None,
        };
        Some(Ty { size, signed })
    }

    /// Converts a raw value of this width.
    pub fn extend(self, raw: u32) -> i64 {
        match (self.size, self.signed) {
            (1, true) => raw as u8 as i8 as i64,
            (2, true) => raw as u16 as i16 as i64,
            (4, true) => raw as i32 as i64,
            (1, false) => (raw & 0xff) as i64,
            (2, false) => (raw & 0xffff) as i64,
            _ => raw as i64,
        }
    }
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `||`
    Or,
    /// `&&`
    And,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `~`
    Not,
    /// `!`
    LogNot,
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number.
    Num(i64),
    /// A symbol, resolved to its value (an address, for a label).
    Sym(i64),
    /// `(type*)expr`: the value as an address.
    Ptr(Box<Expr>),
    /// A machine value.
    Var(Var),
    /// `$N`: an earlier `print` result.
    History(usize),
    /// Unary operation.
    Unary(UnOp, Box<Expr>),
    /// Binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// Memory read at a virtual address.
    Deref(Ty, Box<Expr>),
    /// `(type)expr`.
    Cast(Ty, Box<Expr>),
}

/// A breakpoint condition made ready to be tested at every hit of its breakpoint (the engines
/// ask at each one): a comparison of a register with a constant (`$a0 == 5`, the common
/// condition) is tested without looking at the expression tree; anything else through
/// [`Expr::stops`].
#[derive(Clone, Debug)]
pub enum BreakTest {
    /// No condition: always stops.
    Always,
    /// `$reg OP constant`, `OP` a comparison: the engines' own form, which compiled code can
    /// test too (`Budget::break_checks`).
    RegCmp(BreakCheck),
    /// Any other condition (boxed: the common cases stay small to scan and to match).
    Expr(Box<Expr>),
}

impl BreakTest {
    /// The test for condition `cond` (`None`: none).
    pub fn new(cond: Option<&Expr>) -> BreakTest {
        use BinOp::*;
        match cond {
            None => BreakTest::Always,
            Some(Expr::Bin(op @ (Eq | Ne | Lt | Le | Gt | Ge), a, b)) => match (&**a, &**b) {
                (Expr::Var(Var::Reg(r)), Expr::Num(k) | Expr::Sym(k)) => {
                    let cmp = match op {
                        Eq => BreakCmp::Eq,
                        Ne => BreakCmp::Ne,
                        Lt => BreakCmp::Lt,
                        Le => BreakCmp::Le,
                        Gt => BreakCmp::Gt,
                        _ => BreakCmp::Ge,
                    };
                    BreakTest::RegCmp(BreakCheck {
                        reg: *r,
                        cmp,
                        value: *k,
                    })
                }
                _ => BreakTest::Expr(Box::new(cond.cloned().expect("a condition"))),
            },
            Some(e) => BreakTest::Expr(Box::new(e.clone())),
        }
    }

    /// Does the run stop here (as [`Expr::stops`] says of the condition)?
    #[inline]
    pub fn stops(&self, env: &Env) -> bool {
        match self {
            BreakTest::Always => true,
            BreakTest::RegCmp(c) => c.holds(env.m.cpu.reg(c.reg)),
            BreakTest::Expr(e) => e.stops_out_of_line(env),
        }
    }
}

/// Comparison `op` (`==`, `!=`, `<`, `<=`, `>`, `>=`) of `x` with `y`, as [`Expr::value`]
/// computes it (equality on the low 32 bits); any other operator: true.
#[inline(always)]
fn compare(op: BinOp, x: i64, y: i64) -> bool {
    match op {
        BinOp::Eq => x as u32 == y as u32,
        BinOp::Ne => x as u32 != y as u32,
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        _ => true,
    }
}

/// Context for evaluating: the machine and the value history.
pub struct Env<'a> {
    /// The machine.
    pub m: &'a Machine,
    /// `print` results (`$1` is index 0).
    pub history: &'a [i64],
}

impl Expr {
    /// Evaluates the expression.
    pub fn eval(&self, env: &Env) -> Result<i64, String> {
        let mut err = None;
        let v = self.value(env, &mut err);
        match err {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }

    /// Does a breakpoint with this condition stop the run: is its value non-zero, or does it
    /// fail to evaluate (the debugger then reports the error)? What `eval` says, without a
    /// `Result` to build: the engines ask this at every hit of a conditional breakpoint, and a
    /// comparison of constants and machine values (`$a0 == 5`) is decided without a call.
    #[inline]
    pub fn stops(&self, env: &Env) -> bool {
        if let Expr::Bin(op, a, b) = self {
            use BinOp::*;
            if let (Eq | Ne | Lt | Le | Gt | Ge, Some(x), Some(y)) = (op, a.leaf(env), b.leaf(env))
            {
                return compare(*op, x, y);
            }
        }
        self.stops_slowly(env)
    }

    /// [`Expr::stops`], out of line (keeps a caller that usually tests something simpler
    /// small).
    #[inline(never)]
    fn stops_out_of_line(&self, env: &Env) -> bool {
        self.stops(env)
    }

    /// [`Expr::stops`] for any expression: through [`Expr::value`].
    #[inline(never)]
    fn stops_slowly(&self, env: &Env) -> bool {
        let mut err = None;
        let v = self.value(env, &mut err);
        err.is_some() || v as u32 != 0
    }

    /// The value, with the first error (in evaluation order, as `?` would stop at) left in
    /// `err`: plain values come back in registers, which keeps a breakpoint condition
    /// evaluated on every hit cheap (a `Result<i64, String>` per node went through memory).
    fn value(&self, env: &Env, err: &mut Option<String>) -> i64 {
        // Records the first error; the value is then unused. Out of line, with the messages'
        // formatting, so that the common path stays small.
        #[cold]
        #[inline(never)]
        fn fail(err: &mut Option<String>, e: std::fmt::Arguments) -> i64 {
            err.get_or_insert_with(|| e.to_string());
            0
        }
        match self {
            Expr::Num(n) | Expr::Sym(n) => *n,
            Expr::Ptr(e) => e.value(env, err),
            Expr::Var(v) => v.read(env.m),
            Expr::History(i) => match env.history.get(i.wrapping_sub(1)) {
                Some(v) => *v,
                None => fail(
                    err,
                    format_args!(
                        "history has no value ${i} (there are {} values; `print` makes them)",
                        env.history.len()
                    ),
                ),
            },
            Expr::Unary(op, e) => {
                let v = e.value(env, err);
                match op {
                    UnOp::Neg => v.wrapping_neg(),
                    UnOp::Not => !v,
                    UnOp::LogNot => (v as u32 == 0) as i64,
                }
            }
            // `&&` and `||` evaluate their right side only when needed (and so can only fail
            // there when it is).
            Expr::Bin(BinOp::And, a, b) => {
                (a.value(env, err) as u32 != 0 && err.is_none() && b.value(env, err) as u32 != 0)
                    as i64
            }
            Expr::Bin(BinOp::Or, a, b) => {
                let left = a.value(env, err) as u32 != 0;
                (err.is_none() && (left || b.value(env, err) as u32 != 0)) as i64
            }
            Expr::Bin(op, a, b) => {
                let x = a.leaf(env).unwrap_or_else(|| a.value(env, err));
                if err.is_some() {
                    return 0;
                }
                let y = b.leaf(env).unwrap_or_else(|| b.value(env, err));
                if err.is_some() {
                    return 0;
                }
                match op {
                    BinOp::BitOr => x | y,
                    BinOp::BitXor => x ^ y,
                    BinOp::BitAnd => x & y,
                    BinOp::Eq => (x as u32 == y as u32) as i64,
                    BinOp::Ne => (x as u32 != y as u32) as i64,
                    BinOp::Lt => (x < y) as i64,
                    BinOp::Le => (x <= y) as i64,
                    BinOp::Gt => (x > y) as i64,
                    BinOp::Ge => (x >= y) as i64,
                    BinOp::Shl | BinOp::Shr if !(0..64).contains(&y) => {
                        fail(err, format_args!("shift by {y} is out of range (0..63)"))
                    }
                    BinOp::Shl => x.wrapping_shl(y as u32),
                    BinOp::Shr => x.wrapping_shr(y as u32),
                    BinOp::Add => x.wrapping_add(y),
                    BinOp::Sub => x.wrapping_sub(y),
                    BinOp::Mul => x.wrapping_mul(y),
                    BinOp::Div | BinOp::Rem if y == 0 => {
                        fail(err, format_args!("division by zero"))
                    }
                    BinOp::Div => x.wrapping_div(y),
                    BinOp::Rem => x.wrapping_rem(y),
                    BinOp::And | BinOp::Or => unreachable!("handled above"),
                }
            }
            Expr::Deref(ty, a) => {
                let addr = a.value(env, err) as u32;
                if err.is_some() {
                    return 0;
                }
                match read_virt(env.m, addr, ty.size) {
                    Some(raw) => ty.extend(raw),
                    None if past_end(addr, ty.size) => fail(
                        err,
                        format_args!(
                            "cannot read {} bytes at {addr:#010x}: that goes past the end of the \
                             address space (0xffffffff)",
                            ty.size
                        ),
                    ),
                    None => fail(
                        err,
                        format_args!(
                            "cannot read memory at {addr:#010x} (not mapped, or not RAM/ROM)"
                        ),
                    ),
                }
            }
            Expr::Cast(ty, e) => ty.extend(e.value(env, err) as u32),
        }
    }

    /// The value of a constant or a machine value without a call (the operands of most
    /// conditions: `$a0 == 5`).
    #[inline(always)]
    fn leaf(&self, env: &Env) -> Option<i64> {
        match self {
            Expr::Num(n) | Expr::Sym(n) => Some(*n),
            Expr::Var(v) => Some(v.read(env.m)),
            _ => None,
        }
    }

    /// Is the value an address (GDB's pointers, which `print` shows with the symbol they point
    /// into): a symbol, `$pc`, `$sp`, `$ra`, a `(type*)` cast, or one of those plus or minus
    /// an offset. Registers in general, memory contents and arithmetic are plain integers.
    pub fn is_address(&self) -> bool {
        use isa_spec::regs::{RA, SP};
        match self {
            Expr::Sym(_) | Expr::Ptr(_) => true,
            Expr::Var(Var::Pc) => true,
            Expr::Var(Var::Reg(r)) => *r == SP || *r == RA,
            Expr::Bin(BinOp::Add, a, b) => a.is_address() != b.is_address(),
            Expr::Bin(BinOp::Sub, a, b) => a.is_address() && !b.is_address(),
            _ => false,
        }
    }

    /// The lvalue this expression names, for `set`.
    pub fn lvalue(&self, env: &Env) -> Result<Place, String> {
        match self {
            Expr::Var(v) => Ok(Place::Var(*v)),
            Expr::Deref(ty, a) => Ok(Place::Mem(a.eval(env)? as u32, ty.size)),
            _ => Err(
                "can only assign to a register ($a0, $pc, $status ...) or to memory \
                      (*ADDR, *(u8*)ADDR)"
                    .into(),
            ),
        }
    }
}

/// Something `set` can assign to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A register or control register.
    Var(Var),
    /// Memory at a virtual address, with a width.
    Mem(u32, u32),
}

/// Do `size` bytes at `addr` run past the last address (they do not wrap around to 0)?
pub fn past_end(addr: u32, size: u32) -> bool {
    addr as u64 + size as u64 > 1 << 32
}

/// Reads `size` bytes at virtual `addr` without side effects (byte by byte across pages).
/// `None` when a byte is unreadable or past the end of the address space.
pub fn read_virt(m: &Machine, addr: u32, size: u32) -> Option<u32> {
    if past_end(addr, size) {
        return None;
    }
    if addr & (size - 1) == 0 {
        return m.peek_virt(addr, size);
    }
    let mut v = 0u32;
    for i in 0..size {
        let b = m.peek_virt(addr.wrapping_add(i), 1)?;
        v |= b << (8 * i);
    }
    Some(v)
}

/// Writes `size` bytes at virtual `addr` (RAM only; every byte is checked before any is
/// written).
pub fn write_virt(m: &mut Machine, addr: u32, size: u32, value: u32) -> Result<(), String> {
    if past_end(addr, size) {
        return Err(format!(
            "cannot write {size} bytes at {addr:#010x}: that goes past the end of the address \
             space (0xffffffff)"
        ));
    }
    let bytes = value.to_le_bytes();
    let mut plan = Vec::new();
    for i in 0..size {
        let va = addr.wrapping_add(i);
        let pa = m
            .debug_translate(va)
            .ok_or_else(|| format!("address {va:#010x} is not mapped"))?;
        if m.peek_phys(pa, 1).is_none() || !m.ram().contains(pa, 1) {
            return Err(format!(
                "cannot write {va:#010x} (physical {pa:#010x} is not RAM)"
            ));
        }
        plan.push((pa, bytes[i as usize]));
    }
    for &(pa, b) in &plan {
        m.poke_phys(pa, &[b]);
    }
    Ok(())
}

// ---------------------------------------------------------------- lexer

#[cfg(test)]
mod tests {
    use super::*;
    use emulator::Config;

    struct NoNames;
    impl Names for NoNames {
        fn symbol(&self, name: &str) -> Option<u32> {
            (name == "main").then_some(0x100)
        }
        fn similar(&self, _: &str) -> Option<String> {
            None
        }
    }

    fn ev(s: &str) -> Result<i64, String> {
        let mut m = Machine::new(Config {
            ram_size: 1 << 16,
            ..Default::default()
        });
        m.cpu.regs[10] = 7;
        m.cpu.regs[11] = 0xffff_ffff;
        m.poke_phys(0x100, &[0x78, 0x56, 0x34, 0x12]);
        let e = parse(s, &NoNames)?;
        e.eval(&Env {
            m: &m,
            history: &[42],
        })
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7));
        assert_eq!(ev("(1 + 2) * 3"), Ok(9));
        assert_eq!(ev("$a0 == 7 && $a1 == -1"), Ok(1));
        assert_eq!(ev("(i32)$a1 < 0"), Ok(1));
        assert_eq!(ev("$a1 < 0"), Ok(0));
        assert_eq!(ev("*main"), Ok(0x12345678));
        assert_eq!(ev("*(u8*)main"), Ok(0x78));
        assert_eq!(ev("*(u16*)(main + 2)"), Ok(0x1234));
        assert_eq!(ev("main+8"), Ok(0x108));
        assert_eq!(ev("1 << 4 | 1"), Ok(17));
        assert_eq!(ev("$1 + 1"), Ok(43));
        assert_eq!(ev("'a'"), Ok(97));
        assert_eq!(ev("!0 + ~0"), Ok(0));
        assert!(ev("1 / 0").is_err());
        assert!(ev("nosuch").unwrap_err().contains("no symbol"));
        assert!(ev("a0").unwrap_err().contains("$a0"));
        assert!(ev("(1").is_err());
        assert!(ev("1 +").is_err());
        assert!(ev("$2").is_err());
    }

    /// A breakpoint's test stops exactly when its condition is non-zero or fails to evaluate,
    /// whichever form the test takes (a register compared with a constant, or the tree).
    #[test]
    fn break_tests_stop_as_their_conditions_say() {
        let mut m = Machine::new(Config {
            ram_size: 1 << 16,
            ..Default::default()
        });
        m.cpu.regs[10] = 7;
        m.cpu.regs[11] = 0xffff_ffff;
        let env = Env {
            m: &m,
            history: &[42],
        };
        let conds = [
            "$a0 == 7",
            "$a0 == 8",
            "$a0 != 7",
            "$a1 == 0xffffffff",
            "$a1 == -1",
            "$a1 > 5",
            "$a1 < 5",
            "$a0 <= 7",
            "$a0 >= 8",
            "$zero == 0",
            "7 == $a0",
            "$a0 + 1",
            "$a0 & 8",
            "1 / 0",
            "*0x100000 == 1",
            "$pc == 0",
        ];
        for c in conds {
            let e = parse(c, &NoNames).expect(c);
            let expected = e.eval(&env).map(|v| v as u32 != 0).unwrap_or(true);
            assert_eq!(BreakTest::new(Some(&e)).stops(&env), expected, "{c}");
            assert_eq!(e.stops(&env), expected, "{c}");
        }
        assert!(matches!(
            BreakTest::new(Some(&parse("$a0 == 7", &NoNames).unwrap())),
            BreakTest::RegCmp(BreakCheck {
                reg: 10,
                cmp: BreakCmp::Eq,
                value: 7
            })
        ));
        assert!(BreakTest::new(None).stops(&env));
    }

    #[test]
    fn assignment_split() {
        assert_eq!(split_assignment("$a0 = 5"), Some(("$a0 ", " 5")));
        assert_eq!(split_assignment("$a0 == 5"), None);
        assert_eq!(
            split_assignment("*(u8*)x = $a0 <= 3"),
            Some(("*(u8*)x ", " $a0 <= 3"))
        );
    }
}

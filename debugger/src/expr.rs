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
        if m.peek_phys(pa, 1).is_none() || pa >= m.ram.len() as u32 {
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

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(i64),
    Ident(String),
    Dollar(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "||", "&&", "==", "!=", "<=", ">=", "<<", ">>", "|", "^", "&", "<", ">", "+", "-", "*", "/",
    "%", "~", "!", "(", ")",
];

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        if out.len() > MAX_TOKENS {
            return Err(format!(
                "the expression is too long (more than {MAX_TOKENS} tokens); simplify it"
            ));
        }
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Num(parse_number(&s[start..i])?));
            continue;
        }
        if c == '\'' {
            // A character constant: 'a', '\n', '\0', '\\', '\''.
            let rest = &s[i + 1..];
            let (val, len) = match rest.as_bytes() {
                [b'\\', e, b'\'', ..] => (
                    match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'0' => 0,
                        other => *other,
                    },
                    3,
                ),
                [ch, b'\'', ..] if ch.is_ascii() => (*ch, 2),
                _ => return Err("bad character constant (write e.g. 'a' or '\\n')".into()),
            };
            out.push(Tok::Num(val as i64));
            i += 1 + len;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' || c == '.' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].to_string()));
            continue;
        }
        if c == '$' {
            let start = i + 1;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Dollar(s[start..i].to_string()));
            continue;
        }
        match OPS.iter().find(|op| s[i..].starts_with(**op)) {
            Some(op) => {
                out.push(Tok::Op(op));
                i += op.len();
            }
            None => {
                return Err(format!(
                    "unexpected character `{}` in expression",
                    s[i..].chars().next().unwrap_or('?')
                ))
            }
        }
    }
    Ok(out)
}

/// Parses a number: decimal, `0x` hex, `0b` binary, `0o` octal (underscores allowed).
pub fn parse_number(text: &str) -> Result<i64, String> {
    let t = text.replace('_', "");
    let lower = t.to_ascii_lowercase();
    let r = if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8)
    } else {
        lower.parse::<i64>()
    };
    match r {
        Ok(v) if (-(1i64 << 32)..(1i64 << 32)).contains(&v) => Ok(v),
        Ok(_) => Err(format!("number `{}` does not fit in 32 bits", quote(text))),
        Err(_) => Err(format!(
            "`{}` is not a number (write decimal, 0x hex or 0b binary)",
            quote(text)
        )),
    }
}

/// At most this many characters of the user's text are quoted in an error: a pasted megabyte
/// must not come back as a megabyte of error.
const QUOTE_MAX: usize = 48;

/// `text`, shortened to [`QUOTE_MAX`] characters (with `...` and its length) for an error.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}... ({} characters)", &text[..cut], text.chars().count()),
    }
}

// ---------------------------------------------------------------- parser

/// How deeply parentheses, casts and unary operators may nest. Parsing, evaluating and
/// dropping a tree all recurse, so the depth is bounded here rather than by the host's stack.
pub const MAX_DEPTH: usize = 256;

/// How many tokens an expression may have. A chain of binary operators (`1+1+...`) is parsed
/// in a loop but makes a tree as tall as the chain, which evaluating and dropping walk
/// recursively, so the length bounds that height.
pub const MAX_TOKENS: usize = 1024;

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a dyn Names,
    /// Nesting of the operand being parsed (see [`MAX_DEPTH`]).
    depth: usize,
}

/// Parses an expression.
pub fn parse(text: &str, names: &dyn Names) -> Result<Expr, String> {
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err("missing expression".into());
    }

    let mut p = Parser {
        toks,
        pos: 0,
        names,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos < p.toks.len() {
        return Err(format!(
            "unexpected `{}` after the expression",
            tok_text(&p.toks[p.pos])
        ));
    }
    Ok(e)
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(n) => n.to_string(),
        Tok::Ident(s) => quote(s),
        Tok::Dollar(s) => format!("${}", quote(s)),
        Tok::Op(o) => o.to_string(),
    }
}

type Level = &'static [(&'static str, BinOp)];

const LEVELS: &[Level] = &[
    &[("||", BinOp::Or)],
    &[("&&", BinOp::And)],
    &[("|", BinOp::BitOr)],
    &[("^", BinOp::BitXor)],
    &[("&", BinOp::BitAnd)],
    &[("==", BinOp::Eq), ("!=", BinOp::Ne)],
    &[
        ("<", BinOp::Lt),
        ("<=", BinOp::Le),
        (">", BinOp::Gt),
        (">=", BinOp::Ge),
    ],
    &[("<<", BinOp::Shl), (">>", BinOp::Shr)],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(match self.peek() {
                Some(t) => format!("expected `{op}` but found `{}`", tok_text(t)),
                None => format!("expected `{op}` at the end of the expression"),
            })
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.level(0)
    }

    fn level(&mut self, n: usize) -> Result<Expr, String> {
        if n == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.level(n + 1)?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o)) => LEVELS[n].iter().find(|(s, _)| s == o).map(|x| x.1),
                _ => None,
            };
            let Some(op) = op else { break };
            self.pos += 1;
            let rhs = self.level(n + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    /// At `(`: is this a cast `(type)` or `(type*)`? Returns the type, whether it is a pointer,
    /// and how many tokens it spans.
    fn cast_ahead(&self) -> Result<Option<(Ty, bool, usize)>, String> {
        if !self.peek_op("(") {
            return Ok(None);
        }
        let mut words = Vec::new();
        let mut i = self.pos + 1;
        while let Some(Tok::Ident(w)) = self.toks.get(i) {
            words.push(w.as_str());
            i += 1;
        }
        let name = words.join(" ");
        let Some(ty) = Ty::parse(&name) else {
            // `(NAME*)` can only be a pointer cast, and a C type name in parentheses is
            // meant as a cast: say which types there are rather than "no symbol".
            let pointer = matches!(self.toks.get(i), Some(Tok::Op("*")))
                && matches!(self.toks.get(i + 1), Some(Tok::Op(")")));
            let c_type =
                matches!(self.toks.get(i), Some(Tok::Op(")"))) && Ty::WIDE.contains(&name.as_str());
            if !words.is_empty() && (pointer || c_type) {
                let why = if Ty::WIDE.contains(&name.as_str()) {
                    "is wider than what RF32 memory reads give (8, 16 or 32 bits)"
                } else {
                    "is not a type"
                };
                return Err(format!(
                    "`{}` {why}: the types are u8 u16 u32 i8 i16 i32 (or char, short, int, \
                     unsigned ...)",
                    quote(&name)
                ));
            }
            return Ok(None);
        };
        let ptr = matches!(self.toks.get(i), Some(Tok::Op("*")));
        if ptr {
            i += 1;
        }
        Ok(matches!(self.toks.get(i), Some(Tok::Op(")"))).then_some((ty, ptr, i + 1 - self.pos)))
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!(
                "the expression nests too deeply (more than {MAX_DEPTH} parentheses, casts and \
                 unary operators); simplify it"
            ));
        }
        self.depth += 1;
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(Tok::Op("-")) => {
                self.pos += 1;
                Ok(Expr::Unary(UnOp::Neg, Box::new(self.unary()?)))
            }
            Some(Tok::Op("+")) => {
                self.pos += 1;
                self.unary()
            }
            Some(Tok::Op("~")) => {
                self.pos += 1;
                Ok(Expr::Unary(UnOp::Not, Box::new(self.unary()?)))
            }
            Some(Tok::Op("!")) => {
                self.pos += 1;
                Ok(Expr::Unary(UnOp::LogNot, Box::new(self.unary()?)))
            }
            Some(Tok::Op("*")) => {
                self.pos += 1;
                // `*(u8*)ADDR`: a typed read; `*ADDR`: a word.
                if let Some((ty, true, len)) = self.cast_ahead()? {
                    self.pos += len;
                    return Ok(Expr::Deref(ty, Box::new(self.unary()?)));
                }
                Ok(Expr::Deref(Ty::WORD, Box::new(self.unary()?)))
            }
            Some(Tok::Op("(")) => {
                if let Some((ty, ptr, len)) = self.cast_ahead()? {
                    self.pos += len;
                    let inner = self.unary()?;
                    // `(u8*)x` alone is just the address x.
                    return Ok(if ptr {
                        Expr::Ptr(Box::new(inner))
                    } else {
                        Expr::Cast(ty, Box::new(inner))
                    });
                }
                self.primary()
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(tok) = self.peek().cloned() else {
            return Err("the expression ends too early".into());
        };
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Op("(") => {
                let e = self.expr()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Dollar(name) => {
                if name.is_empty() {
                    return Err("`$` needs a name: $a0, $pc, $ring, $cycles, $status ...".into());
                }
                if let Ok(n) = name.parse::<usize>() {
                    return Ok(Expr::History(n));
                }
                Var::parse(&name).map(Expr::Var).ok_or_else(|| {
                    format!(
                        "no register `${}` (registers: $r0..$r31 or ABI names like $a0 $sp \
                         $ra, $pc, $ring, $cycles, control registers like $status $sp0)",
                        quote(&name)
                    )
                })
            }
            Tok::Ident(name) => match self.names.symbol(&name) {
                Some(v) => Ok(Expr::Sym(v as i64)),
                None => {
                    let mut msg = format!("no symbol `{}`", quote(&name));
                    if let Some(s) = self.names.similar(&name) {
                        msg += &format!("; did you mean `{s}`?");
                    } else if Var::parse(&name).is_some() {
                        msg += &format!("; registers are written with a `$`: ${name}");
                    }
                    Err(msg)
                }
            },
            Tok::Op(o) => Err(format!("unexpected `{o}` in expression")),
        }
    }
}

/// Splits `LHS = RHS` at the first lone `=` (not `==`, `<=`, `>=`, `!=`).
pub fn split_assignment(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    for i in 0..b.len() {
        if b[i] != b'=' {
            continue;
        }
        let prev = if i > 0 { b[i - 1] } else { b' ' };
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        if next == b'=' || matches!(prev, b'=' | b'<' | b'>' | b'!') {
            continue;
        }
        return Some((&s[..i], &s[i + 1..]));
    }
    None
}

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

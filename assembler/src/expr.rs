//! Expressions: parsing (C precedence) and evaluation over 32-bit wrapping integers.
//!
//! Values are unsigned 32-bit, like C's `uint32_t`: `+ - *` wrap, `/ % >>` and the comparisons
//! are unsigned, a shift by 32 or more gives 0. During the first pass a value can also be
//! "section-relative" (a label whose section address is not known yet).

use crate::lex::{Tok, Token};

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bin {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Xor,
    Or,
    LAnd,
    LOr,
}

/// Unary operators (and the assembler's internal half-word extractors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Un {
    Neg,
    Not,
    LNot,
    /// `%hi(x)` = (x + 0x8000) >> 16.
    Hi,
    /// `%lo(x)` = sign-extended low 16 bits.
    Lo,
    /// Upper half, `x >> 16` (used by `li`/`la` expansions).
    Upper,
    /// Lower half, `x & 0xffff` (used by `li`/`la` expansions).
    Lower,
}

/// An expression tree. Spans are byte ranges in the statement's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Num(u32),
    /// A symbol: lookup key and the span of its token.
    Sym(String, (usize, usize)),
    Dot,
    Un(Un, Box<Expr>),
    Bin(Bin, Box<Expr>, Box<Expr>, (usize, usize)),
}

impl Expr {
    /// Operator nodes in the tree (a bound on its depth).
    pub(crate) fn ops(&self) -> u32 {
        match self {
            Expr::Num(_) | Expr::Sym(..) | Expr::Dot => 0,
            Expr::Un(_, e) => 1 + e.ops(),
            Expr::Bin(_, l, r, _) => 1 + l.ops() + r.ops(),
        }
    }
}

/// Parse error: span and message.
#[derive(Clone, Debug)]
pub(crate) struct ParseError {
    pub start: usize,
    pub end: usize,
    pub msg: String,
}

const MAX_DEPTH: u32 = 200;
/// Operators one expression may hold after constant folding. Evaluating (and dropping) an
/// expression walks its tree recursively, so its depth must stay bounded: a left-associated
/// chain `a+1+1+...` is as deep as it is long.
pub(crate) const MAX_OPS: u32 = 2_000;

/// Maps a numeric local label reference to a symbol key.
pub(crate) trait LocalNames {
    fn local_ref(&self, n: u32, fwd: bool) -> String;
}

pub(crate) struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    names: &'a dyn LocalNames,
    /// End of the operand (for "expected ... found end" errors).
    end: usize,
    depth: u32,
    /// Operator nodes built so far (bounded by [`MAX_OPS`]).
    ops: u32,
}

fn binop(t: &Tok) -> Option<(Bin, u8)> {
    let Tok::P(p) = t else { return None };
    Some(match *p {
        "*" => (Bin::Mul, 10),
        "/" => (Bin::Div, 10),
        "%" => (Bin::Rem, 10),
        "+" => (Bin::Add, 9),
        "-" => (Bin::Sub, 9),
        "<<" => (Bin::Shl, 8),
        ">>" => (Bin::Shr, 8),
        "<" => (Bin::Lt, 7),
        "<=" => (Bin::Le, 7),
        ">" => (Bin::Gt, 7),
        ">=" => (Bin::Ge, 7),
        "==" => (Bin::Eq, 6),
        "!=" => (Bin::Ne, 6),
        "&" => (Bin::And, 5),
        "^" => (Bin::Xor, 4),
        "|" => (Bin::Or, 3),
        "&&" => (Bin::LAnd, 2),
        "||" => (Bin::LOr, 1),
        _ => return None,
    })
}

pub(crate) fn describe(t: &Token, line: &str) -> String {
    format!("`{}`", &line[t.start..t.end])
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [Token], names: &'a dyn LocalNames, end: usize) -> Self {
        Parser {
            toks,
            pos: 0,
            names,
            end,
            depth: 0,
            ops: 0,
        }
    }

    /// Counts one more operator node at token `t`: too many is an error, not a deep tree.
    fn count_op(&mut self, t: (usize, usize)) -> Result<(), ParseError> {
        self.ops += 1;
        if self.ops > MAX_OPS {
            return Err(ParseError {
                start: t.0,
                end: t.1,
                msg: format!(
                    "expression has more than {MAX_OPS} operators on symbols; \
                     split it into steps with `.set`"
                ),
            });
        }
        Ok(())
    }

    /// `op` applied to two operands, folded into a number when both are numbers (so that
    /// long constant expressions stay flat).
    fn bin(&mut self, op: Bin, l: Expr, r: Expr, span: (usize, usize)) -> Result<Expr, ParseError> {
        if let (Expr::Num(a), Expr::Num(b)) = (&l, &r) {
            if let Some(v) = apply_bin(op, *a, *b) {
                return Ok(Expr::Num(v));
            }
        }
        self.count_op(span)?;
        Ok(Expr::Bin(op, Box::new(l), Box::new(r), span))
    }

    /// `op` applied to one operand, folded when it is a number.
    fn un(&mut self, op: Un, e: Expr, span: (usize, usize)) -> Result<Expr, ParseError> {
        if let Expr::Num(v) = e {
            return Ok(Expr::Num(apply_un(op, v)));
        }
        self.count_op(span)?;
        Ok(Expr::Un(op, Box::new(e)))
    }

    fn err_here(&self, line: &str, what: &str) -> ParseError {
        match self.toks.get(self.pos) {
            Some(t) => ParseError {
                start: t.start,
                end: t.end,
                msg: format!("expected {what}, found {}", describe(t, line)),
            },
            None => ParseError {
                start: self.end,
                end: self.end,
                msg: format!("expected {what}, found the end of the operand"),
            },
        }
    }

    /// Parses a whole token slice as one expression.
    pub fn parse_all(mut self, line: &str) -> Result<Expr, ParseError> {
        let e = self.expr(line, 0)?;
        if self.pos < self.toks.len() {
            return Err(self.err_here(line, "an operator or the end of the expression"));
        }
        Ok(e)
    }

    fn expr(&mut self, line: &str, min_prec: u8) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = &self.toks[self.pos.min(self.toks.len().saturating_sub(1))];
            return Err(ParseError {
                start: t.start,
                end: t.end,
                msg: format!("expression nested too deeply (limit {MAX_DEPTH})"),
            });
        }
        let mut lhs = self.unary(line)?;
        while let Some(t) = self.toks.get(self.pos) {
            let Some((op, prec)) = binop(&t.tok) else {
                break;
            };
            if prec <= min_prec {
                break;
            }
            let span = (t.start, t.end);
            self.pos += 1;
            let rhs = self.expr(line, prec)?;
            lhs = self.bin(op, lhs, rhs, span)?;
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self, line: &str) -> Result<Expr, ParseError> {
        let Some(t) = self.toks.get(self.pos) else {
            return Err(self.err_here(line, "an expression"));
        };
        let un = match &t.tok {
            Tok::P("-") => Some(Un::Neg),
            Tok::P("~") => Some(Un::Not),
            Tok::P("!") => Some(Un::LNot),
            Tok::P("+") => None,
            _ => return self.primary(line),
        };
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                start: t.start,
                end: t.end,
                msg: format!("expression nested too deeply (limit {MAX_DEPTH})"),
            });
        }
        let span = (t.start, t.end);
        let inner = self.unary(line)?;
        self.depth -= 1;
        match un {
            Some(u) => self.un(u, inner, span),
            None => Ok(inner),
        }
    }

    fn primary(&mut self, line: &str) -> Result<Expr, ParseError> {
        let t = &self.toks[self.pos];
        match &t.tok {
            Tok::Num(v) | Tok::Char(v) => {
                self.pos += 1;
                Ok(Expr::Num(*v))
            }
            Tok::Ident(name) => {
                self.pos += 1;
                if name == "." {
                    Ok(Expr::Dot)
                } else {
                    Ok(Expr::Sym(name.clone(), (t.start, t.end)))
                }
            }
            Tok::LocalRef { n, fwd } => {
                self.pos += 1;
                Ok(Expr::Sym(
                    self.names.local_ref(*n, *fwd),
                    (t.start, t.end),
                ))
            }
            Tok::P("(") => {
                self.pos += 1;
                let e = self.expr(line, 0)?;
                if !self.toks.get(self.pos).is_some_and(|t| t.is_p(")")) {
                    return Err(self.err_here(line, "`)`"));
                }
                self.pos += 1;
                Ok(e)
            }
            Tok::Reloc(hi) => {
                let hi = *hi;
                self.pos += 1;
                if !self.toks.get(self.pos).is_some_and(|t| t.is_p("(")) {
                    return Err(self.err_here(line, "`(` after %hi/%lo"));
                }
                self.pos += 1;
                let e = self.expr(line, 0)?;
                if !self.toks.get(self.pos).is_some_and(|t| t.is_p(")")) {
                    return Err(self.err_here(line, "`)`"));
                }
                self.pos += 1;
                self.un(if hi { Un::Hi } else { Un::Lo }, e, (t.start, t.end))
            }
            Tok::Str(_) => Err(ParseError {
                start: t.start,
                end: t.end,
                msg: "a string is not a number here (use .ascii/.asciz for strings, 'c' for one character)".into(),
            }),
            _ => Err(self.err_here(line, "a number, symbol or `(`")),
        }
    }
}

/// A value during evaluation: absolute (`sec == None`) or relative to a section's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Val {
    pub sec: Option<u32>,
    pub v: u32,
}

impl Val {
    pub fn abs(v: u32) -> Val {
        Val { sec: None, v }
    }
}

/// Why evaluation did not give a value.
#[derive(Clone, Debug)]
pub(crate) enum EvalErr {
    /// Not known yet (forward reference or section-relative arithmetic in pass 1).
    Unknown,
    /// An error to report: span and message.
    Error((usize, usize), String),
    /// An error already reported elsewhere.
    Reported,
}

/// Symbol lookup and the current location, supplied by the assembler.
pub(crate) trait Env {
    fn symbol(&mut self, name: &str, span: (usize, usize)) -> Result<Val, EvalErr>;
    fn dot(&self) -> Val;
}

/// Applies a unary operator to an absolute value.
pub(crate) fn apply_un(op: Un, v: u32) -> u32 {
    match op {
        Un::Neg => v.wrapping_neg(),
        Un::Not => !v,
        Un::LNot => (v == 0) as u32,
        Un::Hi => (v.wrapping_add(0x8000) >> 16) & 0xffff,
        Un::Lo => v as u16 as i16 as i32 as u32,
        Un::Upper => v >> 16,
        Un::Lower => v & 0xffff,
    }
}

/// Applies a binary operator to absolute values; `None` for division by zero.
pub(crate) fn apply_bin(op: Bin, a: u32, b: u32) -> Option<u32> {
    Some(match op {
        Bin::Mul => a.wrapping_mul(b),
        Bin::Div => a.checked_div(b)?,
        Bin::Rem => a.checked_rem(b)?,
        Bin::Add => a.wrapping_add(b),
        Bin::Sub => a.wrapping_sub(b),
        Bin::Shl => a.checked_shl(b).unwrap_or(0),
        Bin::Shr => a.checked_shr(b).unwrap_or(0),
        Bin::Lt => (a < b) as u32,
        Bin::Le => (a <= b) as u32,
        Bin::Gt => (a > b) as u32,
        Bin::Ge => (a >= b) as u32,
        Bin::Eq => (a == b) as u32,
        Bin::Ne => (a != b) as u32,
        Bin::And => a & b,
        Bin::Xor => a ^ b,
        Bin::Or => a | b,
        Bin::LAnd => (a != 0 && b != 0) as u32,
        Bin::LOr => (a != 0 || b != 0) as u32,
    })
}

/// Evaluates `e`.
pub(crate) fn eval(e: &Expr, env: &mut dyn Env) -> Result<Val, EvalErr> {
    match e {
        Expr::Num(v) => Ok(Val::abs(*v)),
        Expr::Dot => Ok(env.dot()),
        Expr::Sym(name, span) => env.symbol(name, *span),
        Expr::Un(op, inner) => {
            let v = eval(inner, env)?;
            if v.sec.is_some() {
                return Err(EvalErr::Unknown);
            }
            Ok(Val::abs(apply_un(*op, v.v)))
        }
        Expr::Bin(op @ (Bin::LAnd | Bin::LOr), l, r, _) => {
            // C short-circuit: the right side is not evaluated when the left decides.
            let a = eval(l, env)?;
            if a.sec.is_some() {
                eval(r, env)?;
                return Err(EvalErr::Unknown);
            }
            let decided = if *op == Bin::LAnd { a.v == 0 } else { a.v != 0 };
            if decided {
                return Ok(Val::abs((*op == Bin::LOr) as u32));
            }
            let b = eval(r, env)?;
            if b.sec.is_some() {
                return Err(EvalErr::Unknown);
            }
            Ok(Val::abs((b.v != 0) as u32))
        }
        Expr::Bin(op, l, r, span) => {
            // Evaluate both sides so that every error on the line is found; prefer errors.
            let a = eval(l, env);
            let b = eval(r, env);
            let (a, b) = match (a, b) {
                (Err(e @ (EvalErr::Error(..) | EvalErr::Reported)), _) => return Err(e),
                (_, Err(e @ (EvalErr::Error(..) | EvalErr::Reported))) => return Err(e),
                (Err(_), _) | (_, Err(_)) => return Err(EvalErr::Unknown),
                (Ok(a), Ok(b)) => (a, b),
            };
            let sec = match (op, a.sec, b.sec) {
                (_, None, None) => None,
                (Bin::Add, Some(s), None) | (Bin::Add, None, Some(s)) => Some(s),
                (Bin::Sub, Some(s), None) => Some(s),
                (Bin::Sub, Some(s), Some(t)) if s == t => None,
                _ => return Err(EvalErr::Unknown),
            };
            match apply_bin(*op, a.v, b.v) {
                Some(v) => Ok(Val { sec, v }),
                None => Err(EvalErr::Error(
                    *span,
                    format!(
                        "{} by zero",
                        if *op == Bin::Div {
                            "division"
                        } else {
                            "remainder"
                        }
                    ),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    struct NoLocals;
    impl LocalNames for NoLocals {
        fn local_ref(&self, n: u32, fwd: bool) -> String {
            format!("{n}{}", if fwd { 'f' } else { 'b' })
        }
    }
    struct E;
    impl Env for E {
        fn symbol(&mut self, _: &str, _: (usize, usize)) -> Result<Val, EvalErr> {
            Ok(Val::abs(100))
        }
        fn dot(&self) -> Val {
            Val::abs(0x1000)
        }
    }

    fn ev(s: &str) -> u32 {
        let t = lex(s, 0, s.len()).unwrap();
        let e = Parser::new(&t, &NoLocals, s.len()).parse_all(s).unwrap();
        eval(&e, &mut E).unwrap().v
    }

    #[test]
    fn precedence() {
        assert_eq!(ev("1 + 2 * 3"), 7);
        assert_eq!(ev("(1 + 2) * 3"), 9);
        assert_eq!(ev("1 << 2 + 1"), 8);
        assert_eq!(ev("1 | 6 ^ 3 & 5"), 1 | (6 ^ (3 & 5)));
        assert_eq!(ev("-1"), u32::MAX);
        assert_eq!(ev("~0 >> 28"), 15);
        assert_eq!(ev("!0 + !5"), 1);
        assert_eq!(ev("x + . - 'a'"), 100 + 0x1000 - 97);
        assert_eq!(ev("%hi(0x12348000)"), 0x1235);
        assert_eq!(ev("%lo(0x12348000)"), 0xffff8000);
        assert_eq!(ev("1 < 2 && 3 >= 3 || 0"), 1);
        assert_eq!(ev("7 % 4 - 10 / 3"), 0);
        assert_eq!(ev("1 << 32"), 0);
    }
}

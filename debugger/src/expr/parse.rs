//! Reading expressions: the lexer and a precedence-climbing parser with depth and size
//! limits (a pasted megabyte or a deep nest is refused, not a stack overflow).

use super::*;

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

/// `text`, shortened to `QUOTE_MAX` characters (with `...` and its length) for an error.
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

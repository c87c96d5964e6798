//! Comment stripping, statement splitting and tokenizing.

/// A token kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Identifier: `[A-Za-z_.$][A-Za-z0-9_.$]*`.
    Ident(String),
    /// Number literal (already range-checked to 32 bits).
    Num(u32),
    /// Numeric local label reference `1b` / `1f`.
    LocalRef { n: u32, fwd: bool },
    /// Character literal value.
    Char(u32),
    /// String literal bytes (escapes already processed).
    Str(Vec<u8>),
    /// `%hi(`'s `%hi` or `%lo`: true for hi.
    Reloc(bool),
    /// Punctuation.
    P(&'static str),
}

/// A token with its byte range in the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn is_p(&self, p: &str) -> bool {
        matches!(&self.tok, Tok::P(q) if *q == p)
    }
    pub fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
}

/// A lexing error: byte range and message.
#[derive(Clone, Debug)]
pub(crate) struct LexError {
    pub start: usize,
    pub end: usize,
    pub msg: String,
}

const PUNCT: [&str; 27] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&", "^",
    "|", "~", "!", "(", ")", ",", ":", "=", "@", "\\",
];

pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'.' || c == b'$'
}

pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'$'
}

/// Result of comment stripping: lines with comments replaced by spaces (one space per
/// character, so columns are kept), and the position of an unterminated `/*` if any.
pub(crate) struct Stripped<'a> {
    /// Lines without comment characters are borrowed (no copy per line).
    pub lines: Vec<std::borrow::Cow<'a, str>>,
    pub unterminated: Option<(usize, usize)>,
}

/// Splits `text` into lines (accepting `\n` and `\r\n`) and blanks out `#`, `//` and `/* */`
/// comments, leaving string and character literals alone.
pub(crate) fn strip_comments(text: &str) -> Stripped<'_> {
    let mut out = Vec::new();
    let mut in_block: Option<(usize, usize)> = None;
    for (lineno, raw) in split_lines(text).into_iter().enumerate() {
        let b = raw.as_bytes();
        if in_block.is_none() && !b.iter().any(|&c| c == b'#' || c == b'/') {
            out.push(std::borrow::Cow::Borrowed(raw));
            continue;
        }
        let mut s = String::with_capacity(raw.len());
        let mut i = 0;
        while i < b.len() {
            if in_block.is_some() {
                if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    in_block = None;
                    s.push_str("  ");
                    i += 2;
                } else {
                    let ch = raw[i..].chars().next().unwrap_or(' ');
                    s.push(if ch == '\t' { '\t' } else { ' ' });
                    i += ch.len_utf8();
                }
                continue;
            }
            let c = b[i];
            if c == b'#' || (c == b'/' && b.get(i + 1) == Some(&b'/')) {
                break;
            }
            if c == b'/' && b.get(i + 1) == Some(&b'*') {
                in_block = Some((lineno, i));
                s.push_str("  ");
                i += 2;
                continue;
            }
            if c == b'"' {
                let end = skip_string(b, i);
                s.push_str(&raw[i..end]);
                i = end;
                continue;
            }
            if c == b'\'' {
                if let Some(end) = char_literal_end(b, i) {
                    s.push_str(&raw[i..end]);
                    i = end;
                    continue;
                }
            }
            let ch = raw[i..].chars().next().unwrap_or(' ');
            s.push(ch);
            i += ch.len_utf8();
        }
        out.push(std::borrow::Cow::Owned(s));
    }
    Stripped {
        lines: out,
        unterminated: in_block,
    }
}

/// Lines of `text` without their terminators (a trailing `\r` is dropped too).
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.ends_with('\n') {
        v.pop();
    }
    v
}

/// End (exclusive) of the string literal starting at `i` (a `"`); the line end if unterminated.
fn skip_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// If a character literal starts at `i`, its end (exclusive).
fn char_literal_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if j >= b.len() {
        return None;
    }
    if b[j] == b'\\' {
        j += 2;
        while j < b.len() && b[j] != b'\'' && j < i + 8 {
            j += 1;
        }
    } else {
        // one UTF-8 character
        j += 1;
        while j < b.len() && (b[j] & 0xC0) == 0x80 {
            j += 1;
        }
    }
    (j < b.len() && b[j] == b'\'').then_some(j + 1)
}

/// Byte ranges of the `;`-separated statements of a (comment-stripped) line.
pub(crate) fn split_statements(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = skip_string(b, i),
            b'\'' => i = char_literal_end(b, i).unwrap_or(i + 1),
            b';' => {
                out.push((start, i));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, b.len()));
    out
}

/// Reads one escape sequence after a backslash at `b[i]`; returns (value, next index).
fn escape(b: &[u8], i: usize) -> Result<(u32, usize), String> {
    let Some(&c) = b.get(i + 1) else {
        return Err("a backslash must be followed by an escape character".into());
    };
    let simple = match c {
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'a' => Some(7),
        b'b' => Some(8),
        b'f' => Some(12),
        b'v' => Some(11),
        b'e' => Some(27),
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        b'\'' => Some(b'\''),
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((v as u32, i + 2));
    }
    if c == b'x' || c == b'X' {
        let mut j = i + 2;
        let mut v = 0u32;
        while j < b.len() && j < i + 4 && b[j].is_ascii_hexdigit() {
            v = v * 16 + (b[j] as char).to_digit(16).unwrap_or(0);
            j += 1;
        }
        if j == i + 2 {
            return Err("`\\x` must be followed by one or two hex digits".into());
        }
        return Ok((v, j));
    }
    if (b'0'..=b'7').contains(&c) {
        let mut j = i + 1;
        let mut v = 0u32;
        while j < b.len() && j < i + 4 && (b'0'..=b'7').contains(&b[j]) {
            v = v * 8 + (b[j] - b'0') as u32;
            j += 1;
        }
        if v > 255 {
            return Err("octal escape is larger than \\377".into());
        }
        return Ok((v, j));
    }
    Err(format!(
        "unknown escape sequence `\\{}` (known: \\n \\t \\r \\0 \\\\ \\\" \\' \\xNN \\NNN)",
        c as char
    ))
}

fn parse_number(text: &str) -> Result<u32, String> {
    let (digits, radix) = if let Some(r) = text.strip_prefix("0x").or(text.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = text.strip_prefix("0b").or(text.strip_prefix("0B")) {
        (r, 2)
    } else if let Some(r) = text.strip_prefix("0o").or(text.strip_prefix("0O")) {
        (r, 8)
    } else {
        if text.len() > 1 && text.starts_with('0') {
            return Err(format!(
                "`{text}`: a number may not start with 0 (write 0o{} for octal, or drop the zeros)",
                text.trim_start_matches('0')
            ));
        }
        (text, 10)
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return Err(format!("`{text}` has no digits after its prefix"));
    }
    let v = u64::from_str_radix(&digits, radix)
        .map_err(|_| format!("`{text}` is not a valid base-{radix} number"))?;
    u32::try_from(v).map_err(|_| {
        format!("number `{text}` does not fit in 32 bits (largest is 0xffffffff = 4294967295)")
    })
}

/// Tokenizes `line[start..end]`.
pub(crate) fn lex(line: &str, start: usize, end: usize) -> Result<Vec<Token>, LexError> {
    let b = &line.as_bytes()[..end];
    let mut i = start;
    let mut out = Vec::new();
    let err = |s: usize, e: usize, msg: String| LexError {
        start: s,
        end: e,
        msg,
    };
    while i < end {
        let c = b[i];
        if c == b' ' || c == b'\t' || c == b'\x0c' || c == b'\x0b' || c == b'\r' {
            i += 1;
            continue;
        }
        let s = i;
        if is_ident_start(c) {
            while i < end && is_ident_char(b[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(line[s..i].to_string()),
                start: s,
                end: i,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let t = lex_number(line, s, end)?;
            i = t.end;
            out.push(t);
            continue;
        }
        if c == b'"' {
            let t = lex_string(b, s, end)?;
            i = t.end;
            out.push(t);
            continue;
        }
        if c == b'\'' {
            let t = lex_char(line, s, end)?;
            i = t.end;
            out.push(t);
            continue;
        }
        if c == b'%' {
            let rest = &line[i + 1..end];
            for (name, hi) in [("hi", true), ("lo", false)] {
                let rb = rest.as_bytes();
                if rb.len() >= 2 && rb[..2].eq_ignore_ascii_case(name.as_bytes()) {
                    let after = rest[2..].trim_start();
                    if after.starts_with('(') {
                        out.push(Token {
                            tok: Tok::Reloc(hi),
                            start: s,
                            end: s + 3,
                        });
                        i = s + 3;
                        break;
                    }
                }
            }
            if i != s {
                continue;
            }
        }
        let two = if i + 1 < end { b[i + 1] } else { 0 };
        let punct = match (c, two) {
            (b'<', b'<')
            | (b'>', b'>')
            | (b'<', b'=')
            | (b'>', b'=')
            | (b'=', b'=')
            | (b'!', b'=')
            | (b'&', b'&')
            | (b'|', b'|') => PUNCT[..8].iter().find(|p| p.as_bytes() == [c, two]),
            _ => PUNCT[8..].iter().find(|p| p.as_bytes()[0] == c),
        };
        if let Some(p) = punct {
            i += p.len();
            out.push(Token {
                tok: Tok::P(p),
                start: s,
                end: i,
            });
            continue;
        }
        let ch = line[i..].chars().next().unwrap_or('?');
        let hint = if ch == '\\' {
            " (macro parameters like \\x only work inside a .macro body)"
        } else {
            ""
        };
        return Err(err(
            s,
            s + ch.len_utf8(),
            format!("unexpected character `{ch}`{hint}"),
        ));
    }
    Ok(out)
}

/// A number or a numeric local label reference (`1b`, `1f`) starting at `s` (a digit).
fn lex_number(line: &str, s: usize, end: usize) -> Result<Token, LexError> {
    let b = line.as_bytes();
    let mut i = s;
    while i < end && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    let text = &line[s..i];
    // `1b` / `1f`: numeric local label reference.
    let last = text.as_bytes()[text.len() - 1];
    let body = &text[..text.len() - 1];
    if (last == b'b' || last == b'f')
        && !body.is_empty()
        && body.bytes().all(|d| d.is_ascii_digit())
    {
        let n = body
            .parse::<u32>()
            .map_err(|_| lex_err(s, i, format!("local label number `{body}` is too large")))?;
        return Ok(Token {
            tok: Tok::LocalRef {
                n,
                fwd: last == b'f',
            },
            start: s,
            end: i,
        });
    }
    let v = parse_number(text).map_err(|m| lex_err(s, i, m))?;
    Ok(Token {
        tok: Tok::Num(v),
        start: s,
        end: i,
    })
}

/// A double-quoted string starting at `s`, escapes decoded.
fn lex_string(b: &[u8], s: usize, end: usize) -> Result<Token, LexError> {
    let i = s;
    let mut j = i + 1;
    let mut bytes = Vec::new();
    loop {
        if j >= end {
            return Err(lex_err(
                s,
                end,
                "unterminated string: add a closing `\"`".into(),
            ));
        }
        match b[j] {
            b'"' => {
                j += 1;
                break;
            }
            b'\\' => {
                let (v, n) = escape(b, j).map_err(|m| lex_err(j, (j + 2).min(end), m))?;
                bytes.push(v as u8);
                j = n;
            }
            x => {
                bytes.push(x);
                j += 1;
            }
        }
    }
    Ok(Token {
        tok: Tok::Str(bytes),
        start: s,
        end: j,
    })
}

/// A character literal (`'a'`, `'\n'`) starting at `s`.
fn lex_char(line: &str, s: usize, end: usize) -> Result<Token, LexError> {
    let b = &line.as_bytes()[..end];
    let i = s;
    let bad = || {
        lex_err(
            s,
            (s + 1).min(end),
            "bad character literal: write one character in single quotes, like 'a' or '\\n'".into(),
        )
    };
    let Some(e) = char_literal_end(b, i) else {
        return Err(bad());
    };
    let inner = &line[i + 1..e - 1];
    let v = if inner.starts_with('\\') {
        let (v, n) = escape(b, i + 1).map_err(|m| lex_err(s, e, m))?;
        if n != e - 1 {
            return Err(bad());
        }
        v
    } else {
        inner.chars().next().map(|c| c as u32).ok_or_else(bad)?
    };
    Ok(Token {
        tok: Tok::Char(v),
        start: s,
        end: e,
    })
}

/// A lexing error over `s..e`.
fn lex_err(s: usize, e: usize, msg: String) -> LexError {
    LexError {
        start: s,
        end: e,
        msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_comments_keeping_columns() {
        let s = strip_comments("a # c\nb /* x\ny */ c // d\n\"#\" ';'");
        assert_eq!(s.lines, vec!["a ", "b     ", "     c ", "\"#\" ';'"]);
        assert!(s.unterminated.is_none());
        assert!(strip_comments("/* open").unterminated.is_some());
    }

    #[test]
    fn numbers_and_refs() {
        let src = "0x10 0b101 0o17 1b 2f 'a' '\\n' 12";
        let t = lex(src, 0, src.len()).unwrap();
        let k: Vec<Tok> = t.into_iter().map(|t| t.tok).collect();
        assert_eq!(
            k,
            vec![
                Tok::Num(16),
                Tok::Num(5),
                Tok::Num(15),
                Tok::LocalRef { n: 1, fwd: false },
                Tok::LocalRef { n: 2, fwd: true },
                Tok::Char(97),
                Tok::Char(10),
                Tok::Num(12)
            ]
        );
        assert!(lex("0x100000000", 0, 11).is_err());
        assert!(lex("010", 0, 3).is_err());
    }

    #[test]
    fn statements() {
        assert_eq!(
            split_statements("a; b ';' ; \"x;\""),
            vec![(0, 1), (2, 9), (10, 15)]
        );
    }
}

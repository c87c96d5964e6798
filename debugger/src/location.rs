//! Locations, as `break`, `until`, `list` and `disassemble` take them: a symbol, `symbol+off`,
//! an address (`0x400`, or `*EXPR` as in GDB), any expression, or `file.s:LINE`.

use crate::expr::{Expr, Ty};
use crate::session::{DbgError, Debugger};

/// Splits `LOC if COND` at a standalone `if`.
pub fn split_if(text: &str) -> (&str, Option<&str>) {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("if ") {
        return ("", Some(rest.trim()));
    }
    if let Some(i) = t.find(" if ") {
        return (t[..i].trim(), Some(t[i + 4..].trim()));
    }
    if let Some(stripped) = t.strip_suffix(" if") {
        return (stripped.trim(), Some(""));
    }
    (t, None)
}

/// `file.s:LINE`, if the text has that shape.
pub fn file_line(text: &str) -> Option<(&str, u32)> {
    let (file, line) = text.rsplit_once(':')?;
    let file = file.trim();
    if file.is_empty() || file.starts_with('$') || file.starts_with('*') {
        return None;
    }
    Some((file, line.trim().parse().ok()?))
}

impl Debugger {
    /// Resolves a location to an address.
    pub fn resolve(&self, text: &str) -> Result<u32, DbgError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DbgError::hint(
                "missing location",
                "a location is a symbol (main), symbol+offset (main+8), an address (0x400), or \
                 file.s:LINE",
            ));
        }
        if let Some((file, line)) = file_line(t) {
            return self.syms.line_addr(file, line).map_err(|e| {
                DbgError::hint(
                    e,
                    "`info line` is not needed: `list FILE:LINE` shows the source",
                )
            });
        }
        let e = t.strip_prefix('*').unwrap_or(t);
        let v = self.eval_str(e)?;
        Ok(v as u32)
    }

    /// A watch target: address and width (`*(u8*)X` watches a byte; a symbol or address, a
    /// word).
    pub fn watch_target(&self, text: &str) -> Result<(u32, u32), DbgError> {
        let e = self.parse_expr(text)?;
        if let Expr::Var(_) = e {
            return Err(DbgError::hint(
                format!(
                    "`{}` is a register, and watchpoints watch memory",
                    crate::expr::quote(text.trim())
                ),
                "to stop when a register changes, step with `display` on it, or set a \
                 conditional breakpoint (`break LOC if $s0 == 5`)",
            ));
        }
        match &e {
            Expr::Deref(Ty { size, .. }, inner) => Ok((self.eval(inner)? as u32, *size)),
            _ => Ok((self.eval(&e)? as u32, 4)),
        }
    }
}

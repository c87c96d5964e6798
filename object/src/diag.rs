//! Error reports in the GCC / GNU as style: `file:line:col: error: message`, then the source
//! line and a caret line under the column. Always plain text (no colour).

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The input is wrong: no output is written.
    #[default]
    Error,
    /// Worth a look (e.g. `.warning`); assembly succeeds.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One error or warning, with where it is and the source line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// File name as given to the assembler (or as written in `.include`).
    pub file: String,
    /// 1-based line number; 0 when the error is about the whole file.
    pub line: u32,
    /// 1-based column (in characters); 0 when there is no useful column.
    pub col: u32,
    /// How many characters the caret line underlines (at least 1 when `col > 0`).
    pub len: u32,
    /// What is wrong and what to do about it.
    pub message: String,
    /// The text of the line (for errors inside a macro expansion: the expanded text). A line
    /// longer than `MAX_SHOWN` characters is cut to an excerpt around the column, with `...`
    /// where text was left out.
    pub source_line: String,
    /// Column of the caret within `source_line`: `col`, unless the line was cut.
    pub caret_col: u32,
    /// Extra lines printed after the caret, already formatted
    /// (e.g. `a.s:3:5: note: in expansion of macro `push``).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error about a whole file (no line), e.g. one that cannot be read.
    pub fn file_error(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: 0,
            col: 0,
            len: 0,
            message: message.into(),
            source_line: String::new(),
            caret_col: 0,
            notes: Vec::new(),
        }
    }

    /// An error at `col` (1-based, in characters; `len` characters underlined) on a line whose
    /// text is `line`. What the report quotes is capped, so that a huge input line or token
    /// gives a report of bounded size: the line is cut to an excerpt around the column and
    /// long `quoted` parts of the message are shortened.
    pub fn at(
        file: impl Into<String>,
        line_no: u32,
        col: u32,
        len: u32,
        message: &str,
        line: &str,
    ) -> Diagnostic {
        Self::at_known(file, line_no, col, len, message, line, line.is_ascii())
    }

    /// [`Diagnostic::at`] for a line known to be ASCII or not (then the excerpt costs no
    /// scan of the line: many errors on one huge line stay linear).
    pub fn at_known(
        file: impl Into<String>,
        line_no: u32,
        col: u32,
        len: u32,
        message: &str,
        line: &str,
        ascii: bool,
    ) -> Diagnostic {
        let (source_line, caret_col, len) = excerpt(line, col, len, ascii);
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: line_no,
            col,
            len,
            message: cap_quotes(message),
            source_line,
            caret_col,
            notes: Vec::new(),
        }
    }
}

/// Longest source line a report shows whole.
pub const MAX_SHOWN: usize = 200;
/// Longest `quoted` text a message shows whole.
const MAX_QUOTE: usize = 80;
/// Longest message shown whole.
const MAX_MESSAGE: usize = 1000;

/// The part of `line` a report shows for a caret at `col` (`len` wide): the whole line when it
/// is short, else `MAX_SHOWN` characters around the column with `...` marking cuts. Returns
/// the text, the caret's column in it and the (possibly shortened) underline length.
fn excerpt(line: &str, col: u32, len: u32, ascii: bool) -> (String, u32, u32) {
    // (A line of at most MAX_SHOWN bytes has at most that many characters.)
    if line.len() <= MAX_SHOWN {
        return (line.to_string(), col, len);
    }
    let n = if ascii {
        line.len()
    } else {
        line.chars().count()
    };
    if n <= MAX_SHOWN {
        return (line.to_string(), col, len);
    }
    // Show some text before the caret for context, the rest after it.
    let c0 = (col.max(1) as usize - 1).min(n);
    let start = c0.saturating_sub(MAX_SHOWN / 4).min(n - MAX_SHOWN);
    let end = start + MAX_SHOWN;
    let mut out = String::new();
    if start > 0 {
        out.push_str("...");
    }
    if ascii {
        out.push_str(&line[start..end]);
    } else {
        out.extend(line.chars().skip(start).take(MAX_SHOWN));
    }
    if end < n {
        out.push_str("...");
    }
    let lead = if start > 0 { 3 } else { 0 };
    let caret = (c0 - start + lead) as u32 + 1;
    let len = len.min((end - c0).max(1) as u32);
    (out, caret, len)
}

/// `msg` with every `quoted` part longer than `MAX_QUOTE` characters shortened (its start,
/// then `...`), and the whole cut at `MAX_MESSAGE` characters.
pub fn cap_quotes(msg: &str) -> String {
    if msg.len() <= MAX_QUOTE {
        return msg.to_string();
    }
    let mut out = String::new();
    for (i, part) in msg.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are inside backquotes.
        if i % 2 == 1 && part.chars().count() > MAX_QUOTE {
            out.extend(part.chars().take(MAX_QUOTE - 3));
            out.push_str("...");
        } else {
            out.push_str(part);
        }
    }
    if out.chars().count() > MAX_MESSAGE {
        out = out.chars().take(MAX_MESSAGE - 3).collect();
        out.push_str("...");
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (0, _) => writeln!(f, "{}: {}: {}", self.file, self.severity, self.message)?,
            (l, 0) => writeln!(
                f,
                "{}:{}: {}: {}",
                self.file, l, self.severity, self.message
            )?,
            (l, c) => writeln!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, l, c, self.severity, self.message
            )?,
        }
        if self.line > 0 {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len().max(4));
            writeln!(f, " {:>w$} | {}", num, self.source_line, w = pad.len())?;
            if self.col > 0 {
                // Keep tabs so the caret lines up with the source line above it.
                let lead: String = self
                    .source_line
                    .chars()
                    .take(self.caret_col.max(1) as usize - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let tildes = "~".repeat(self.len.max(1) as usize - 1);
                writeln!(f, " {pad} | {lead}^{tildes}")?;
            }
        }
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        Ok(())
    }
}

/// Every error found in the input, with the warnings found along, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The errors and warnings (see [`Diagnostic::severity`]).
    pub errors: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Number of errors (warnings not counted).
    pub fn len(&self) -> usize {
        self.errors
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.errors {
            write!(f, "{d}")?;
        }
        let n = self.len();
        write!(f, "{n} error{} generated", if n == 1 { "" } else { "s" })?;
        match self.errors.len() - n {
            0 => Ok(()),
            w => write!(f, " ({w} warning{})", if w == 1 { "" } else { "s" }),
        }
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_with_caret() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "a.s".into(),
            line: 3,
            col: 6,
            len: 3,
            message: "bad".into(),
            source_line: "\tadd foo, a1".into(),
            caret_col: 6,
            notes: vec![],
        };
        assert_eq!(
            d.to_string(),
            "a.s:3:6: error: bad\n    3 | \tadd foo, a1\n      | \t    ^~~\n"
        );
    }

    #[test]
    fn long_lines_and_quotes_are_cut() {
        let line = format!("{}bad{}", "x".repeat(1000), "y".repeat(1000));
        let msg = format!("unknown `{}`", "z".repeat(5000));
        let d = Diagnostic::at("a.s", 1, 1001, 3, &msg, &line);
        assert_eq!(d.col, 1001);
        assert!(d.source_line.starts_with("...x"), "{}", d.source_line);
        assert!(d.source_line.ends_with("y..."));
        assert_eq!(d.source_line.chars().count(), MAX_SHOWN + 6);
        let at = d.caret_col as usize - 1;
        assert_eq!(&d.source_line[at..at + 3], "bad");
        assert!(d.message.len() < 100, "{}", d.message);
        assert!(d.to_string().len() < 1000);
    }
}

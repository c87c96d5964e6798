//! Error reports in the GCC / GNU as style: `file:line:col: error: message`, then the source
//! line and a caret line under the column. Always plain text (no colour).

use std::fmt;

/// One error, with where it is and the source line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
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
    /// The text of the line (for errors inside a macro expansion: the expanded text).
    pub source_line: String,
    /// Extra lines printed after the caret, already formatted
    /// (e.g. `a.s:3:5: note: in expansion of macro `push``).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error about a whole file (no line), e.g. one that cannot be read.
    pub fn file_error(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line: 0,
            col: 0,
            len: 0,
            message: message.into(),
            source_line: String::new(),
            notes: Vec::new(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.col) {
            (0, _) => writeln!(f, "{}: error: {}", self.file, self.message)?,
            (l, 0) => writeln!(f, "{}:{}: error: {}", self.file, l, self.message)?,
            (l, c) => writeln!(f, "{}:{}:{}: error: {}", self.file, l, c, self.message)?,
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
                    .take(self.col as usize - 1)
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

/// Every error found in the input, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The errors.
    pub errors: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.errors {
            write!(f, "{d}")?;
        }
        let n = self.errors.len();
        write!(f, "{n} error{} generated", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_with_caret() {
        let d = Diagnostic {
            file: "a.s".into(),
            line: 3,
            col: 6,
            len: 3,
            message: "bad".into(),
            source_line: "\tadd foo, a1".into(),
            notes: vec![],
        };
        assert_eq!(
            d.to_string(),
            "a.s:3:6: error: bad\n    3 | \tadd foo, a1\n      | \t    ^~~\n"
        );
    }
}

//! The code keeps the shape docs/architecture.md describes: no source file of the binary or of
//! the library crates is over [`MAX_FILE_LINES`] lines, and no function over
//! [`MAX_FN_LINES`]. Small files with one job each are what a newcomer can read; the check
//! keeps a growing file or function from passing unnoticed (split it by job instead).

use std::path::{Path, PathBuf};

/// The most lines a source file may have.
const MAX_FILE_LINES: usize = 800;
/// The most lines a function may have, from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 150;
/// The folders checked: the binary and every library crate (not tests, benches or fuzz).
const ROOTS: [&str; 10] = [
    "src",
    "isa-spec/src",
    "object/src",
    "assembler/src",
    "emulator/src",
    "debugger/src",
    "testkit/src",
    "rffs/src",
    "firmware/src",
    "grader/src",
];

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` with comments, string and character literals blanked out (newlines kept), so that
/// braces and `fn` inside them are not counted.
fn code_only(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            i + rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            i + 2 + find(&rest[2..], b"*/").map_or(rest.len() - 2, |p| p + 2)
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"..." or r#"..."#: ends at the quote followed by as many hashes.
            let mut close = vec![b'"'];
            close.resize(1 + hashes, b'#');
            let body = 2 + hashes;
            i + body + find(&rest[body..], &close).map_or(rest.len() - body, |p| p + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            i + j + 1
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '\u{1F600}', '{'); a lifetime has no closing quote
            // right after its first character.
            match char_literal_len(rest) {
                Some(n) => i + n,
                None => i + 1,
            }
        } else {
            i += 1;
            continue;
        };
        if rest[0] != b'\'' || end > i + 1 {
            blank(&mut out, i, end);
        }
        i = end.max(i + 1);
    }
    out
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The number of `#`s of a raw string starting here (`r"`, `r#"`, `br"`), if one does.
fn raw_string_start(s: &[u8]) -> Option<usize> {
    let s = s.strip_prefix(b"b").unwrap_or(s);
    let s = s.strip_prefix(b"r")?;
    let hashes = s.iter().take_while(|&&c| c == b'#').count();
    (s.get(hashes) == Some(&b'"')).then_some(hashes)
}

/// The length of a character literal starting at `s[0] == '\''`, or `None` for a lifetime.
fn char_literal_len(s: &[u8]) -> Option<usize> {
    if s.get(1) == Some(&b'\\') {
        let close = s[2..].iter().take(12).position(|&c| c == b'\'')?;
        return Some(close + 3);
    }
    // One (possibly multi-byte) character, then the closing quote.
    let width = match s.get(1)? {
        c if *c < 0x80 => 1,
        c if *c >= 0xF0 => 4,
        c if *c >= 0xE0 => 3,
        _ => 2,
    };
    (s.get(1 + width) == Some(&b'\'')).then_some(width + 2)
}

/// Each function in `code` (as [`code_only`] leaves it): its name, first line and line count.
fn functions(code: &[u8]) -> Vec<(String, usize, usize)> {
    let line_of = |pos: usize| code[..pos].iter().filter(|&&c| c == b'\n').count() + 1;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(p) = find(&code[i..], b"fn ") {
        let start = i + p;
        i = start + 3;
        if start > 0 && ident(code[start - 1]) {
            continue;
        }
        let name_len = code[i..].iter().take_while(|&&c| ident(c)).count();
        if name_len == 0 {
            continue;
        }
        let name = String::from_utf8_lossy(&code[i..i + name_len]).into_owned();
        // The body starts at the first `{` before any `;` (a declaration has none).
        let Some(open) = code[i..]
            .iter()
            .position(|&c| c == b'{' || c == b';')
            .map(|q| i + q)
            .filter(|&q| code[q] == b'{')
        else {
            continue;
        };
        let mut depth = 0usize;
        let mut close = open;
        for (k, &c) in code[open..].iter().enumerate() {
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let (first, last) = (line_of(start), line_of(close));
        found.push((name, first, last - first + 1));
    }
    found
}

#[test]
fn no_file_or_function_is_too_long() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ROOTS {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable source");
        let rel = path.strip_prefix(root).unwrap_or(path).display();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "{rel}: {lines} lines (at most {MAX_FILE_LINES}: split it by job)"
            ));
        }
        for (name, line, len) in functions(&code_only(&text)) {
            if len > MAX_FN_LINES {
                problems.push(format!(
                    "{rel}:{line}: fn {name} is {len} lines (at most {MAX_FN_LINES})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: it finds a long function, ignores braces in strings, comments and
/// character literals, and does not mistake lifetimes for characters.
#[test]
fn the_checker_measures_functions() {
    let src = "fn short<'a>(x: &'a str) -> char {\n    let _ = \"{{{\"; // {\n    '{'\n}\n\
               /* fn fake() { */\nfn long() {\n"
        .to_string()
        + &"    let _ = r#\"}\"#;\n".repeat(200)
        + "}\ntrait T { fn decl(&self); }\n";
    let fns = functions(&code_only(&src));
    let names: Vec<_> = fns
        .iter()
        .map(|(n, l, len)| (n.as_str(), *l, *len))
        .collect();
    assert_eq!(names, [("short", 1, 4), ("long", 6, 202)]);
}

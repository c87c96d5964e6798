//! The two-pass assembler core.
//!
//! Pass 1 reads every source in order (expanding `.include` and macros), lays out bytes in
//! per-section buffers and records a fixup for every value it cannot compute yet. Sizes never
//! depend on unknown values (except `li`, which then takes its two-instruction form). After
//! pass 1 the sections are placed, and the fixups are evaluated and patched in.
//!
//! This module holds the state ([`Assembler`]) and reads lines; the jobs are in:
//! [`statement`] (labels, assignments, dispatch), [`directive`] (the directive list and its
//! dispatch; section directives in [`layout`], data in [`data`], blocks and conditionals in
//! [`macros`]), [`include`] (`.include`, `.incbin`), [`insn`] (instructions and operands),
//! [`pseudo`] (pseudo-instructions), [`layout`] (the location counter and section buffers) and
//! [`link`] (pass 2: placement, fixups, the program).

use crate::expr::{describe, eval, Env, EvalErr, Expr, LocalNames, Parser, Un, Val};
use crate::lex::{self, Tok, Token};
use crate::Options;
use isa_spec::{encode, EncodeError, Format, Insn, Kind, Opcode, OPS};
use rf_object::{Diagnostic, Diagnostics, Severity};
use rf_object::{
    LineInfo, ListingChunk, ListingLine, Program, SegFlags, Segment, Symbol, SymbolKind,
    LISTING_BYTES,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

mod data;
mod directive;
mod include;
mod insn;
mod layout;
mod link;
mod macros;
mod pseudo;
mod statement;

// The free helpers each module shares with the others (every module takes `use super::*`).
use data::encode_data;
use directive::{edit_distance, Dir, COND_DIRECTIVES};
use insn::encode_message;
use macros::{is_cond_directive, split_args};
pub(crate) use pseudo::li_single;
use pseudo::{is_pseudo, OWN_PSEUDOS};
use statement::{single_ident, span_of, split_operands};

/// Largest total image (sum of section sizes), 256 MiB.
pub(crate) const MAX_IMAGE: u64 = 256 << 20;

const MAX_MACRO_DEPTH: u32 = 64;

const MAX_INCLUDE_DEPTH: u32 = 32;

const MAX_EXPANDED_LINES: u64 = 1_000_000;

const MAX_ALIGN: u32 = 4096;

const PAGE: u64 = 4096;

const MAX_EQU_DEPTH: u32 = 100;

/// Operators evaluation may pass through at once, over an expression and the symbols it
/// names (it recurses once per operator).
const MAX_EVAL_COST: u32 = 2 * crate::expr::MAX_OPS;

/// Errors kept; later ones are only counted (pathological inputs would otherwise use
/// unbounded memory).
const MAX_ERRORS: usize = 10_000;

/// Macro-expansion notes kept per error (innermost first).
const MAX_NOTES: usize = 8;

/// Longest line a macro expansion may produce.
const MAX_LINE: usize = 64 * 1024;

type SecId = u32;

type Span = (usize, usize);

type PErr = (Span, String);

/// An expression evaluated after layout, with what its evaluation and its errors need.
#[derive(Clone)]
struct Later<E> {
    /// The expression.
    expr: E,
    /// The line it was written on (errors point there).
    ctx: Rc<LineCtx>,
    /// `.` where it was written: section and offset.
    dot: (SecId, u32),
    /// Statement number (orders its errors among the others).
    seq: u64,
}

/// A `.size` expression.
type SizeExpr = Later<Expr>;

/// A definition known only after layout.
type DeferredDef = Later<Rc<Expr>>;

/// The condition of an `.elseif`, evaluated only when its branch may be taken.
type CondTest<'a> = &'a dyn Fn(&Assembler) -> Result<bool, PErr>;

/// Macro parameters: name and default value.
type Params = Vec<(String, Option<String>)>;

/// Where a line of text came from.
pub(crate) struct LineCtx {
    file: u32,
    line: u32,
    /// Comment-stripped text that statements are parsed from.
    text: Rc<str>,
    /// Text shown in diagnostics.
    display: Rc<str>,
    /// Index of the physical line in the listing.
    listing: usize,
    /// Physical (file, line) used for the line table.
    phys: (u32, u32),
    /// Macro-expansion notes.
    notes: Rc<Vec<String>>,
    /// Macro nesting depth.
    depth: u32,
    /// `display` (and so `text`) is ASCII: columns are byte offsets, found without a scan.
    ascii: bool,
}

#[derive(Clone)]
enum Def {
    Label(SecId, u32),
    Value(Val),
    /// Boxed: rare, and it would make every symbol's entry larger.
    Deferred(Box<DeferredDef>),
}

struct SymEntry {
    def: Option<Def>,
    def_loc: Option<(Rc<LineCtx>, Span)>,
    global: bool,
    /// `.weak`: a global that a non-weak global of another file replaces; 0 if undefined.
    weak: bool,
    kind: SymbolKind,
    /// Boxed: most symbols have none, and every symbol's entry is paid for.
    size: Option<Box<SizeExpr>>,
    redefinable: bool,
    order: u32,
    cache: Option<Result<u32, ()>>,
    resolving: bool,
}

impl SymEntry {
    /// An undefined, local entry, `order`-th in definition order.
    fn new(order: u32) -> SymEntry {
        SymEntry {
            def: None,
            def_loc: None,
            global: false,
            weak: false,
            kind: SymbolKind::None,
            size: None,
            redefinable: false,
            order,
            cache: None,
            resolving: false,
        }
    }
}

struct Macro {
    name: String,
    params: Vec<(String, Option<String>)>,
    body: Vec<(Rc<str>, u32, u32)>,
}

/// What a collected block becomes at its closing directive.
enum BlockKind {
    /// `.macro` ... `.endm`: a definition.
    Macro,
    /// `.rept N` ... `.endr`: the body N times.
    Rept(u32),
    /// `.irp P, V1, V2...` ... `.endr`: the body once per value with `\P` replaced.
    Irp(String, Vec<String>),
    /// `.irpc P, TEXT` ... `.endr`: the body once per character of the text (kept as text:
    /// a string per character would cost ~50 bytes for each byte of input).
    Irpc(String, String),
}

struct MacroBuild {
    kind: BlockKind,
    name: String,
    params: Vec<(String, Option<String>)>,
    body: Vec<(Rc<str>, u32, u32)>,
    depth: u32,
    ctx: Rc<LineCtx>,
    span: Span,
}

/// One open `.if` (GNU as semantics: conditionals nest, and only the branch taken is
/// assembled).
struct Cond {
    /// The current branch is assembled (its enclosing lines are, and its condition held).
    on: bool,
    /// The lines around the `.if` are assembled.
    outer: bool,
    /// A branch was taken already: later `.else`/`.elseif` branches are not.
    taken: bool,
    /// `.else` was seen (no further `.else`/`.elseif`).
    seen_else: bool,
    /// Where the `.if` is, for an unterminated one.
    ctx: Rc<LineCtx>,
    span: Span,
}

struct Unit {
    syms: HashMap<String, SymEntry>,
    macros: HashMap<String, Rc<Macro>>,
    numeric: HashMap<u32, u32>,
    ended: bool,
}

struct Section {
    name: String,
    flags: SegFlags,
    nobits: bool,
    explicit_flags: bool,
    data: Vec<u8>,
    size: u32,
    addr: u32,
    has_syms: bool,
    /// Largest alignment asked for in the section (for the ELF's `sh_addralign`).
    align: u32,
}

enum FixKind {
    Data(u8),
    Insn(Insn, bool),
}

struct Fixup {
    sec: SecId,
    off: u32,
    unit: usize,
    dot: (SecId, u32),
    expr: Expr,
    kind: FixKind,
    ctx: Rc<LineCtx>,
    span: Span,
    seq: u64,
}

struct ListingBuild {
    file: u32,
    line: u32,
    text: Rc<str>,
}

/// Bytes a listing line produced. All lines' chunks share one vector (a vector per line cost an
/// allocation per line).
struct ChunkNote {
    /// Index of the listing line.
    line: usize,
    /// Section the bytes are in.
    sec: SecId,
    /// Offset in the section.
    off: u32,
    /// Length in bytes.
    len: u32,
}

/// Where a line's code or data starts, for the program's line table.
struct LineNote {
    /// Section.
    sec: SecId,
    /// Offset in the section.
    off: u32,
    /// Index into [`Assembler::files`] of the physical source file.
    file: u32,
    /// Line number in it (1-based).
    line: u32,
}

/// A source file read (named in diagnostics and the line table).
struct SourceFile {
    /// Name as given (or as resolved by `.include`).
    name: String,
    /// Path on disk, if it came from one: `.include` and `.incbin` search its directory first.
    path: Option<PathBuf>,
}

/// A diagnostic with where it sorts: statement number and column.
struct Noted {
    /// Statement number ([`Assembler::seq`] when it was found).
    seq: u64,
    /// Column, to order several diagnostics of one statement.
    col: u32,
    /// The diagnostic.
    diag: Diagnostic,
}

/// Key of the k-th definition of numeric local label n.
fn numeric_key(n: u32, k: u32) -> String {
    format!("{n}\u{1}{k}")
}

/// A symbol key as the user wrote it.
fn display_name(key: &str) -> String {
    match key.split_once('\u{1}') {
        Some((n, _)) => format!("local label {n}"),
        None => key.to_string(),
    }
}

struct NumNames<'a>(&'a HashMap<u32, u32>);

impl LocalNames for NumNames<'_> {
    fn local_ref(&self, n: u32, fwd: bool) -> String {
        let k = self.0.get(&n).copied().unwrap_or(0);
        numeric_key(n, if fwd { k + 1 } else { k })
    }
}

struct P1Env<'a> {
    unit: &'a Unit,
    dot: Val,
}

impl Env for P1Env<'_> {
    fn symbol(&mut self, name: &str, _span: Span) -> Result<Val, EvalErr> {
        match self.unit.syms.get(name).and_then(|e| e.def.as_ref()) {
            Some(Def::Label(s, o)) => Ok(Val {
                sec: Some(*s),
                v: *o,
            }),
            Some(Def::Value(v)) => Ok(*v),
            _ => Err(EvalErr::Unknown),
        }
    }
    fn dot(&self) -> Val {
        self.dot
    }
}

/// The assembler state.
pub(crate) struct Assembler {
    /// Address of the first section ([`crate::Options::base`]).
    opts_base: u32,
    /// Entry symbol ([`crate::Options::entry`]).
    entry_name: String,
    /// Directories searched by `.include`/`.incbin` ([`crate::Options::include_dirs`]).
    include_dirs: Vec<PathBuf>,
    /// Every source file read, indexed by [`LineCtx::file`] and [`LineNote::file`].
    files: Vec<SourceFile>,
    /// Translation units (one per source given), each with its own local symbols and macros.
    units: Vec<Unit>,
    /// The unit being read.
    cur_unit: usize,
    /// Sections in order of creation, indexed by [`SecId`].
    sections: Vec<Section>,
    /// Section ids by name.
    sec_by_name: HashMap<String, SecId>,
    /// The section bytes go to.
    cur_sec: SecId,
    /// Values to patch in after layout, in the order they were found.
    fixups: Vec<Fixup>,
    /// Errors and warnings so far (sorted by statement at the end).
    diags: Vec<Noted>,
    /// Statement counter: orders diagnostics found in pass 2 with those of pass 1.
    seq: u64,
    /// Build the listing ([`crate::Options::listing`]).
    want_listing: bool,
    /// Listing lines, one per source line read.
    listing: Vec<ListingBuild>,
    /// Bytes each listing line produced.
    chunks: Vec<ChunkNote>,
    /// Where each line's bytes start, for the line table.
    lines: Vec<LineNote>,
    /// Bytes laid out in all sections (bounded by [`MAX_IMAGE`]).
    total: u64,
    /// Lines produced by macro and repetition expansion (bounded by [`MAX_EXPANDED_LINES`]).
    expanded: u64,
    /// The expansion bound was hit (reported once).
    expansion_overflow: bool,
    /// `.include` nesting of the file being read (bounded by [`MAX_INCLUDE_DEPTH`]).
    include_depth: u32,
    /// Macro and `.include` levels around the file being read (its lines' `depth` counts only
    /// the macro levels inside it): the two nest in each other and share one bound, as each
    /// level is a recursion of the reader.
    outer_nest: u32,
    /// Sections saved by `.pushsection`, innermost last.
    sec_stack: Vec<SecId>,
    /// Open conditionals, innermost last.
    conds: Vec<Cond>,
    /// Macro expansions in progress (for `.exitm`).
    macro_nest: u32,
    /// `.exitm` was read: the innermost macro expansion stops.
    exitm: bool,
    /// A `.macro`, `.rept` or `.irp` body being collected (its lines are not assembled yet).
    collecting: Option<MacroBuild>,
    /// Expansions so far: the value of `\@` in a macro body.
    macro_counter: u32,
    /// Next symbol definition number (symbol tables list symbols in definition order).
    sym_order: u32,
    /// Diagnostics dropped past [`MAX_ERRORS`] (reported as a count).
    suppressed: usize,
    /// Memo of `Opcode::from_mnemonic` results.
    mnemonics: HashMap<String, Option<Opcode>>,
    /// The (shared) empty note list of lines outside macros.
    no_notes: Rc<Vec<String>>,
}

impl Assembler {
    /// A fresh assembler for `opts`: `.text` created, a misaligned base reported.
    pub(crate) fn new(opts: &Options) -> Assembler {
        let mut a = Assembler {
            opts_base: opts.base,
            entry_name: opts.entry.clone(),
            include_dirs: opts.include_dirs.clone(),
            files: Vec::new(),
            units: Vec::new(),
            cur_unit: 0,
            sections: Vec::new(),
            sec_by_name: HashMap::new(),
            cur_sec: 0,
            fixups: Vec::new(),
            diags: Vec::new(),
            seq: 0,
            want_listing: opts.listing,
            listing: Vec::new(),
            chunks: Vec::new(),
            lines: Vec::new(),
            total: 0,
            expanded: 0,
            expansion_overflow: false,
            include_depth: 0,
            outer_nest: 0,
            conds: Vec::new(),
            sec_stack: Vec::new(),
            macro_nest: 0,
            exitm: false,
            collecting: None,
            macro_counter: 0,
            sym_order: 0,
            suppressed: 0,
            mnemonics: HashMap::new(),
            no_notes: Rc::new(Vec::new()),
        };
        a.section_id(".text");
        if !opts.base.is_multiple_of(4) {
            a.file_error(
                "<options>",
                format!(
                    "base address {:#x} is not a multiple of 4; instructions must be 4-byte aligned",
                    opts.base
                ),
            );
        }
        a
    }

    /// Reports an error about file `file` as a whole (unreadable, not UTF-8).
    pub(crate) fn file_error(&mut self, file: &str, msg: String) {
        self.seq += 1;
        self.push_diag(self.seq, Diagnostic::file_error(file, msg));
    }

    /// Keeps diagnostic `d` at statement `seq`, counting it instead past [`MAX_ERRORS`].
    fn push_diag(&mut self, seq: u64, d: Diagnostic) {
        if self.diags.len() >= MAX_ERRORS {
            self.suppressed += 1;
            return;
        }
        let col = d.col;
        self.diags.push(Noted { seq, col, diag: d });
    }

    /// A diagnostic at `span` of line `ctx`, with the macro expansion notes of the line.
    fn make_diag(&self, ctx: &LineCtx, span: Span, msg: String) -> Diagnostic {
        let col_of = |b: usize| {
            if ctx.ascii {
                return b.min(ctx.text.len());
            }
            ctx.text
                .get(..b.min(ctx.text.len()))
                .map(|s| s.chars().count())
                .unwrap_or(b)
        };
        let c0 = col_of(span.0);
        let c1 = col_of(span.1.max(span.0));
        let mut d = Diagnostic::at_known(
            self.files[ctx.file as usize].name.clone(),
            ctx.line,
            c0 as u32 + 1,
            (c1 - c0).max(1) as u32,
            &msg,
            &ctx.display,
            ctx.ascii,
        );
        d.notes = ctx.notes.as_ref().clone();
        d
    }

    /// Reports an error at `span` of line `ctx`, at the current statement.
    fn error(&mut self, ctx: &LineCtx, span: Span, msg: String) {
        self.error_seq(self.seq, ctx, span, msg);
    }

    /// A warning: reported with the errors (or with the program), assembly goes on.
    fn warn(&mut self, ctx: &LineCtx, span: Span, msg: String) {
        let mut d = self.make_diag(ctx, span, msg);
        d.severity = Severity::Warning;
        self.push_diag(self.seq, d);
    }

    /// Reports an error at `span` of line `ctx`, sorted as statement `seq` (for pass 2).
    fn error_seq(&mut self, seq: u64, ctx: &LineCtx, span: Span, msg: String) {
        if self.diags.len() >= MAX_ERRORS {
            self.suppressed += 1;
            return;
        }
        let d = self.make_diag(ctx, span, msg);
        self.push_diag(seq, d);
    }

    /// `file:line:col` of `span` in line `ctx`, for messages that point elsewhere.
    fn loc_string(&self, ctx: &LineCtx, span: Span) -> String {
        let d = self.make_diag(ctx, span, String::new());
        format!("{}:{}:{}", d.file, d.line, d.col)
    }

    /// Registers a source file; returns its index.
    fn add_file(&mut self, name: &str, path: Option<PathBuf>) -> u32 {
        self.files.push(SourceFile {
            name: name.to_string(),
            path,
        });
        (self.files.len() - 1) as u32
    }

    /// Assembles one top-level source (a separate symbol scope).
    pub(crate) fn add_unit(&mut self, name: &str, text: &str, path: Option<PathBuf>) {
        self.units.push(Unit {
            syms: HashMap::new(),
            macros: HashMap::new(),
            numeric: HashMap::new(),
            ended: false,
        });
        self.cur_unit = self.units.len() - 1;
        self.cur_sec = self.section_id(".text");
        let file = self.add_file(name, path);
        self.process_text(file, text);
        if let Some(mb) = self.collecting.take() {
            self.error(
                &mb.ctx,
                mb.span,
                match mb.kind {
                    BlockKind::Macro => format!(
                        "`.macro {}` has no matching `.endm` before the end of the file",
                        mb.name
                    ),
                    _ => format!(
                        "`{}` has no matching `.endr` before the end of the file",
                        mb.name
                    ),
                },
            );
        }
    }

    /// Reads `text` (file number `file`) line by line; conditionals it leaves open are errors.
    fn process_text(&mut self, file: u32, text: &str) {
        let conds = self.conds.len();
        self.read_lines(file, text);
        // A conditional must end in the file that opened it.
        let ended = self.units[self.cur_unit].ended;
        while self.conds.len() > conds {
            let c = self.conds.pop().expect("open conditional");
            if !ended {
                self.seq += 1;
                self.error(
                    &c.ctx,
                    c.span,
                    "this conditional has no matching `.endif` before the end of the file".into(),
                );
            }
        }
    }

    /// Splits `text` into lines (comments stripped, columns kept) and processes each, keeping the
    /// listing and the expansion bound.
    fn read_lines(&mut self, file: u32, text: &str) {
        let stripped = lex::strip_comments(text);
        let raw = lex::split_lines(text);
        if let Some((l, c)) = stripped.unterminated {
            let ctx = LineCtx {
                file,
                line: l as u32 + 1,
                text: (*stripped.lines[l]).into(),
                display: raw[l].into(),
                listing: 0,
                phys: (file, l as u32 + 1),
                notes: Rc::new(Vec::new()),
                depth: 0,
                ascii: raw[l].is_ascii(),
            };
            self.seq += 1;
            self.error(
                &ctx,
                (c, c + 2),
                "unterminated `/*` comment: add `*/`".into(),
            );
        }
        for (i, line) in stripped.lines.iter().enumerate() {
            if self.units[self.cur_unit].ended {
                break;
            }
            let listing = self.listing.len();
            let display: Rc<str> = raw[i].into();
            // Lines without comments share one buffer for parsing and display.
            let text = if **line == *raw[i] {
                display.clone()
            } else {
                (**line).into()
            };
            if self.want_listing {
                self.listing.push(ListingBuild {
                    file,
                    line: i as u32 + 1,
                    text: display.clone(),
                });
            }
            let ascii = display.is_ascii();
            let ctx = Rc::new(LineCtx {
                file,
                line: i as u32 + 1,
                text,
                display,
                listing,
                phys: (file, i as u32 + 1),
                notes: self.no_notes.clone(),
                depth: 0,
                ascii,
            });
            self.process_line(&ctx);
        }
    }

    /// One line: collected into a macro or repetition body being defined, skipped in a false
    /// conditional, or split into statements (at `;`) and assembled.
    fn process_line(&mut self, ctx: &Rc<LineCtx>) {
        if let Some(mb) = &mut self.collecting {
            let first = ctx
                .text
                .split(|c: char| c.is_whitespace() || c == ';')
                .find(|w| !w.is_empty())
                .unwrap_or("")
                .to_ascii_lowercase();
            if first == ".endm" || first == ".endr" {
                mb.depth -= 1;
                if mb.depth == 0 {
                    let mb = self.collecting.take().expect("collecting");
                    let is_macro = matches!(mb.kind, BlockKind::Macro);
                    let want = if is_macro { ".endm" } else { ".endr" };
                    if first != want {
                        let at = ctx.text.to_ascii_lowercase().find(&first).unwrap_or(0);
                        self.seq += 1;
                        self.error(
                            ctx,
                            (at, at + first.len()),
                            format!("`{first}` cannot close `{}`; write `{want}`", mb.name),
                        );
                    }
                    if is_macro {
                        let m = Macro {
                            name: mb.name.clone(),
                            params: mb.params,
                            body: mb.body,
                        };
                        self.units[self.cur_unit].macros.insert(mb.name, Rc::new(m));
                    } else {
                        self.expand_block(mb);
                    }
                    return;
                }
            } else if matches!(first.as_str(), ".macro" | ".rept" | ".irp" | ".irpc") {
                mb.depth += 1;
            }

            mb.body.push((ctx.text.clone(), ctx.file, ctx.line));
            return;
        }
        for (s, e) in lex::split_statements(&ctx.text) {
            if self.collecting.is_some() || self.units[self.cur_unit].ended || self.exitm {
                break;
            }
            // Skipped lines are not parsed: only conditionals are looked for, to nest.
            if !self.cond_on() && !is_cond_directive(&ctx.text[s..e]) {
                continue;
            }
            self.seq += 1;
            self.statement(ctx, s, e);
        }
    }
}

/// Describes invalid UTF-8: "is not valid UTF-8 (line L, column C)".
pub(crate) fn utf8_error(bytes: &[u8], e: &std::string::FromUtf8Error) -> String {
    let at = e.utf8_error().valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let col = at
        - bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    format!("is not valid UTF-8 text (bad byte at line {line}, column {col}); assembly sources must be UTF-8")
}

//! The two-pass assembler core.
//!
//! Pass 1 reads every source in order (expanding `.include` and macros), lays out bytes in
//! per-section buffers and records a fixup for every value it cannot compute yet. Sizes never
//! depend on unknown values (except `li`, which then takes its two-instruction form). After
//! pass 1 the sections are placed, and the fixups are evaluated and patched in.

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
/// A `.size` expression: the expression, where it was written, `.` there, statement number.
type SizeExpr = (Expr, Rc<LineCtx>, (SecId, u32), u64);
/// A definition known only after layout: the expression, where it was written, `.` there,
/// statement number.
type DeferredDef = (Rc<Expr>, Rc<LineCtx>, (SecId, u32), u64);
/// The condition of an `.elseif`, evaluated only when its branch may be taken.
type CondTest<'a> = &'a dyn Fn(&Assembler) -> Result<bool, PErr>;
/// Macro parameters: name and default value.
type Params = Vec<(String, Option<String>)>;

/// Pseudo-instructions other than the aliases of `isa_spec::alias` (which expand from that
/// table): several instructions, or a choice among them.
const OWN_PSEUDOS: [&str; 8] = ["li", "la", "not", "subi", "bgt", "ble", "bgtu", "bleu"];

/// Whether `m` names a pseudo-instruction (an alias or one of [`OWN_PSEUDOS`]).
fn is_pseudo(m: &str) -> bool {
    OWN_PSEUDOS.contains(&m) || isa_spec::alias::ALIASES.iter().any(|a| a.name == m)
}

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

/// Every directive but the conditionals ([`COND_DIRECTIVES`]), for "did you mean" hints; a
/// unit test checks that each is handled.
const DIRECTIVES: &[&str] = &[
    ".text",
    ".data",
    ".rodata",
    ".bss",
    ".section",
    ".equ",
    ".set",
    ".equiv",
    ".global",
    ".globl",
    ".type",
    ".size",
    ".byte",
    ".half",
    ".short",
    ".2byte",
    ".hword",
    ".word",
    ".long",
    ".4byte",
    ".int",
    ".ascii",
    ".asciz",
    ".string",
    ".space",
    ".skip",
    ".zero",
    ".fill",
    ".align",
    ".balign",
    ".p2align",
    ".org",
    ".include",
    ".macro",
    ".endm",
    ".end",
    ".rept",
    ".endr",
    ".irp",
    ".error",
    ".warning",
    ".err",
    ".exitm",
    ".weak",
    ".comm",
    ".lcomm",
    ".pushsection",
    ".popsection",
    ".incbin",
    ".quad",
    ".8byte",
    ".irpc",
];

/// Directives that open, switch or close a conditional: the only statements read in lines
/// that are skipped.
const COND_DIRECTIVES: [&str; 18] = [
    ".if",
    ".ifdef",
    ".ifndef",
    ".ifnotdef",
    ".ifeq",
    ".ifne",
    ".ifgt",
    ".ifge",
    ".iflt",
    ".ifle",
    ".ifb",
    ".ifnb",
    ".ifc",
    ".ifnc",
    ".else",
    ".elseif",
    ".endif",
    ".elsif",
];

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

/// Bytes a listing line produced: (listing line index, section, offset, length). All lines'
/// chunks share one vector (a vector per line cost an allocation per line).
type ChunkNote = (usize, SecId, u32, u32);

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

struct FinalEnv<'a> {
    asm: &'a mut Assembler,
    unit: usize,
    dot: u32,
    /// Symbols being resolved on the current path (bounded by [`MAX_EQU_DEPTH`]).
    depth: u32,
    /// Operators on the current path (bounded by [`MAX_EVAL_COST`]).
    cost: u32,
}

impl Env for FinalEnv<'_> {
    fn symbol(&mut self, name: &str, span: Span) -> Result<Val, EvalErr> {
        self.asm
            .resolve_final(self.unit, name, span, self.depth, self.cost)
            .map(Val::abs)
    }
    fn dot(&self) -> Val {
        Val::abs(self.dot)
    }
}

/// Levenshtein distance, for "did you mean" hints. Strings whose lengths differ by more than
/// 2 (never a hint) are not compared: a huge token must not cost time per known name.
fn edit_distance(a: &str, b: &str) -> usize {
    if a.chars().count().abs_diff(b.chars().count()) > 2 {
        return usize::MAX;
    }
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + (ca != *cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Operand syntax of a format, for error messages.
fn syntax(f: Format) -> &'static str {
    match f {
        Format::R => "rd, rs1, rs2",
        Format::I => "rd, rs1, imm",
        Format::Iu => "rd, rs1, uimm",
        Format::Sh => "rd, rs1, shamt",
        Format::U => "rd, uimm",
        Format::Load => "rd, offset(rs1)",
        Format::Store => "rs2, offset(rs1)",
        Format::B => "rs1, rs2, target",
        Format::J => "rd, target",
        Format::Cas => "rd, rs2, (rs1)",
        Format::Gate => "gate",
        Format::Vec => "vector",
        Format::R1 => "rs1",
        Format::Mfcr => "rd, crname",
        Format::Mtcr => "crname, rs1",
        Format::N => "no operands",
    }
}

fn operand_count(f: Format) -> usize {
    match f {
        Format::R | Format::I | Format::Iu | Format::Sh | Format::B | Format::Cas => 3,
        Format::U | Format::Load | Format::Store | Format::J | Format::Mfcr | Format::Mtcr => 2,
        Format::Gate | Format::Vec | Format::R1 => 1,
        Format::N => 0,
    }
}

fn default_section(name: &str) -> (SegFlags, bool) {
    let is = |p: &str| name == p || name.starts_with(&format!("{p}."));
    if is(".text") {
        (SegFlags::RX, false)
    } else if is(".data") {
        (SegFlags::RW, false)
    } else if is(".bss") {
        (SegFlags::RW, true)
    } else {
        (SegFlags::R, false)
    }
}

fn nop_word() -> u32 {
    encode(&Insn::new(Opcode::Addi)).unwrap_or(0)
}

/// The assembler state.
pub(crate) struct Assembler {
    opts_base: u32,
    entry_name: String,
    include_dirs: Vec<PathBuf>,
    files: Vec<(String, Option<PathBuf>)>,
    units: Vec<Unit>,
    cur_unit: usize,
    sections: Vec<Section>,
    sec_by_name: HashMap<String, SecId>,
    cur_sec: SecId,
    fixups: Vec<Fixup>,
    diags: Vec<(u64, u32, Diagnostic)>,
    seq: u64,
    /// Build the listing ([`crate::Options::listing`]).
    want_listing: bool,
    listing: Vec<ListingBuild>,
    chunks: Vec<ChunkNote>,
    lines: Vec<(SecId, u32, u32, u32)>,
    total: u64,
    expanded: u64,
    expansion_overflow: bool,
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
    collecting: Option<MacroBuild>,
    macro_counter: u32,
    sym_order: u32,
    suppressed: usize,
    /// Memo of `Opcode::from_mnemonic` results.
    mnemonics: HashMap<String, Option<Opcode>>,
    /// The (shared) empty note list of lines outside macros.
    no_notes: Rc<Vec<String>>,
}

impl Assembler {
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

    // ---------------------------------------------------------------- diagnostics

    pub(crate) fn file_error(&mut self, file: &str, msg: String) {
        self.seq += 1;
        self.push_diag(self.seq, Diagnostic::file_error(file, msg));
    }

    fn push_diag(&mut self, seq: u64, d: Diagnostic) {
        if self.diags.len() >= MAX_ERRORS {
            self.suppressed += 1;
            return;
        }
        let col = d.col;
        self.diags.push((seq, col, d));
    }

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
            self.files[ctx.file as usize].0.clone(),
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

    fn error(&mut self, ctx: &LineCtx, span: Span, msg: String) {
        self.error_seq(self.seq, ctx, span, msg);
    }

    /// A warning: reported with the errors (or with the program), assembly goes on.
    fn warn(&mut self, ctx: &LineCtx, span: Span, msg: String) {
        let mut d = self.make_diag(ctx, span, msg);
        d.severity = Severity::Warning;
        self.push_diag(self.seq, d);
    }

    fn error_seq(&mut self, seq: u64, ctx: &LineCtx, span: Span, msg: String) {
        if self.diags.len() >= MAX_ERRORS {
            self.suppressed += 1;
            return;
        }
        let d = self.make_diag(ctx, span, msg);
        self.push_diag(seq, d);
    }

    fn loc_string(&self, ctx: &LineCtx, span: Span) -> String {
        let d = self.make_diag(ctx, span, String::new());
        format!("{}:{}:{}", d.file, d.line, d.col)
    }

    // ---------------------------------------------------------------- input

    fn add_file(&mut self, name: &str, path: Option<PathBuf>) -> u32 {
        self.files.push((name.to_string(), path));
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

    // ---------------------------------------------------------------- conditionals

    /// Lines are assembled here (every open conditional's branch is taken).
    fn cond_on(&self) -> bool {
        self.conds.last().is_none_or(|c| c.on)
    }

    /// `.if` and its kin: `test` decides the condition (only evaluated where lines are
    /// assembled). A failed test is reported and counts as false; the conditional still opens,
    /// so its `.else`/`.endif` match.
    fn cond_open(
        &mut self,
        ctx: &Rc<LineCtx>,
        span: Span,
        test: impl FnOnce(&Self) -> Result<bool, PErr>,
    ) {
        let outer = self.cond_on();
        let on = outer
            && test(self).unwrap_or_else(|(sp, m)| {
                self.error(ctx, sp, m);
                false
            });
        self.conds.push(Cond {
            on,
            outer,
            taken: on,
            seen_else: false,
            ctx: ctx.clone(),
            span,
        });
    }

    /// `.else` (`test` = None) and `.elseif`.
    fn cond_else(
        &mut self,
        name: &str,
        span: Span,
        test: Option<CondTest<'_>>,
    ) -> Result<(), PErr> {
        let Some(c) = self.conds.last() else {
            return Err((span, format!("`{name}` without a matching `.if`")));
        };
        if c.seen_else {
            let at = self.loc_string(&c.ctx, c.span);
            return Err((
                span,
                format!("`{name}` after `.else` (the conditional opened at {at})"),
            ));
        }
        let run = c.outer && !c.taken;
        let on = match test {
            None => run,
            Some(t) if run => t(self)?,
            Some(_) => false,
        };
        let c = self.conds.last_mut().expect("open conditional");
        c.on = on;
        c.taken |= on;
        c.seen_else = test.is_none();
        Ok(())
    }

    // ---------------------------------------------------------------- sections & output

    fn section_id(&mut self, name: &str) -> SecId {
        if let Some(&id) = self.sec_by_name.get(name) {
            return id;
        }
        let (flags, nobits) = default_section(name);
        self.sections.push(Section {
            name: name.to_string(),
            flags,
            nobits,
            explicit_flags: false,
            data: Vec::new(),
            size: 0,
            addr: 0,
            has_syms: false,
            align: 1,
        });
        let id = (self.sections.len() - 1) as SecId;
        self.sec_by_name.insert(name.to_string(), id);
        id
    }

    fn cur_off(&self) -> u32 {
        self.sections[self.cur_sec as usize].size
    }

    fn dot(&self) -> Val {
        Val {
            sec: Some(self.cur_sec),
            v: self.cur_off(),
        }
    }

    fn check_grow(&mut self, ctx: &LineCtx, span: Span, n: u64) -> bool {
        if self.total + n > MAX_IMAGE {
            self.error(
                ctx,
                span,
                format!(
                    "this would make the image larger than the 256 MiB limit ({} bytes requested, {} already used)",
                    n, self.total
                ),
            );
            return false;
        }
        self.total += n;
        true
    }

    fn note_chunk(&mut self, ctx: &LineCtx, off: u32, len: u32) {
        if len == 0 || !self.want_listing {
            return;
        }
        let sec = self.cur_sec;
        if let Some(last) = self.chunks.last_mut() {
            if last.0 == ctx.listing && last.1 == sec && last.2 + last.3 == off {
                last.3 += len;
                return;
            }
        }
        self.chunks.push((ctx.listing, sec, off, len));
    }

    /// Appends file bytes (instructions and data). Errors in a nobits section.
    fn emit(&mut self, ctx: &LineCtx, span: Span, bytes: &[u8]) -> Option<u32> {
        let sec = &self.sections[self.cur_sec as usize];
        if sec.nobits {
            let name = sec.name.clone();
            self.error(
                ctx,
                span,
                format!(
                    "`{name}` holds no file contents: only labels, .space/.skip/.zero, .align and .org are allowed there"
                ),
            );
            return None;
        }
        if !self.check_grow(ctx, span, bytes.len() as u64) {
            return None;
        }
        let off = self.cur_off();
        let sec = &mut self.sections[self.cur_sec as usize];
        sec.data.extend_from_slice(bytes);
        sec.size += bytes.len() as u32;
        self.note_chunk(ctx, off, bytes.len() as u32);
        Some(off)
    }

    /// Reserves `n` bytes of `fill` (allowed in nobits sections when `fill` is 0).
    fn reserve(&mut self, ctx: &LineCtx, span: Span, n: u64, pattern: &[u8]) {
        if n == 0 {
            return;
        }
        let nobits = self.sections[self.cur_sec as usize].nobits;
        if nobits && pattern.iter().any(|&b| b != 0) {
            let name = self.sections[self.cur_sec as usize].name.clone();
            self.error(
                ctx,
                span,
                format!("`{name}` holds no file contents: the fill value must be 0 there"),
            );
            return;
        }
        if !self.check_grow(ctx, span, n) {
            return;
        }
        let off = self.cur_off();
        let sec = &mut self.sections[self.cur_sec as usize];
        if !nobits {
            if let [b] = pattern {
                sec.data.resize(sec.data.len() + n as usize, *b);
            } else {
                // Multi-byte patterns (.fill values, nop padding) repeat from the start of the
                // reserved range.
                let n = n as usize;
                sec.data.reserve(n);
                let full = n / pattern.len();
                for _ in 0..full {
                    sec.data.extend_from_slice(pattern);
                }
                sec.data.extend_from_slice(&pattern[..n % pattern.len()]);
            }
        }
        sec.size += n as u32;
        self.note_chunk(ctx, off, n as u32);
    }

    fn note_line(&mut self, ctx: &LineCtx, off: u32) {
        self.lines.push((self.cur_sec, off, ctx.phys.0, ctx.phys.1));
    }

    // ---------------------------------------------------------------- parsing helpers

    fn parse_expr(&self, ctx: &LineCtx, toks: &[Token], end: usize) -> Result<Expr, PErr> {
        let names = NumNames(&self.units[self.cur_unit].numeric);
        Parser::new(toks, &names, end)
            .parse_all(&ctx.text)
            .map_err(|e| ((e.start, e.end), e.msg))
    }

    /// An immediate operand: an expression, but not a bare register name.
    fn imm_operand(&self, ctx: &LineCtx, toks: &[Token], end: usize) -> Result<Expr, PErr> {
        if let [t] = toks {
            if let Some(name) = t.ident() {
                if isa_spec::regs::parse_reg(name).is_some()
                    && !self.units[self.cur_unit].syms.contains_key(name)
                {
                    return Err((
                        (t.start, t.end),
                        format!("expected an immediate value or a symbol, found register `{name}`"),
                    ));
                }
            }
        }
        if toks.is_empty() {
            return Err((
                (end, end),
                "expected an immediate value, found nothing".into(),
            ));
        }
        self.parse_expr(ctx, toks, end)
    }

    fn eval1(&self, e: &Expr) -> Result<Val, EvalErr> {
        let mut env = P1Env {
            unit: &self.units[self.cur_unit],
            dot: self.dot(),
        };
        eval(e, &mut env)
    }

    /// Evaluates an expression that must be a known constant now.
    fn const_now(
        &self,
        ctx: &LineCtx,
        toks: &[Token],
        end: usize,
        what: &str,
    ) -> Result<u32, PErr> {
        let e = self.parse_expr(ctx, toks, end)?;
        let span = (toks.first().map_or(end, |t| t.start), end);
        match self.eval1(&e) {
            Ok(Val { sec: None, v }) => Ok(v),
            Ok(_) | Err(EvalErr::Unknown) => Err((
                span,
                format!(
                    "{what} must be a constant known at this point (no forward references, and no addresses: they are only known after layout)"
                ),
            )),
            Err(EvalErr::Error(s, m)) => Err((s, m)),
            Err(EvalErr::Reported) => Err((span, "invalid expression".into())),
        }
    }

    // ---------------------------------------------------------------- statements

    fn statement(&mut self, ctx: &Rc<LineCtx>, s: usize, e: usize) {
        // `.irpc` takes its text as characters, not tokens (`.irpc d, 0123` is no number).
        let t = &ctx.text[s..e];
        let hs = s + (t.len() - t.trim_start().len());
        let word = ctx.text[hs..e]
            .bytes()
            .take_while(|&c| lex::is_ident_char(c))
            .count();
        if ctx.text[hs..hs + word].eq_ignore_ascii_case(".irpc") {
            self.irpc(ctx, (hs, hs + word), e);
            return;
        }
        let toks = match lex::lex(&ctx.text, s, e) {
            Ok(t) => t,
            Err(le) => {
                self.error(ctx, (le.start, le.end), le.msg);
                return;
            }
        };
        let mut i = 0;
        // Labels.
        while i + 1 < toks.len() && toks[i + 1].is_p(":") {
            match &toks[i].tok {
                Tok::Ident(name) => {
                    let name = name.clone();
                    self.define_label(ctx, &name, (toks[i].start, toks[i].end));
                }
                Tok::Num(n) => {
                    let n = *n;
                    let unit = &mut self.units[self.cur_unit];
                    let k = unit.numeric.entry(n).or_insert(0);
                    *k += 1;
                    let key = numeric_key(n, *k);
                    self.define_label(ctx, &key, (toks[i].start, toks[i].end));
                }
                _ => break,
            }
            i += 2;
        }
        if i >= toks.len() {
            return;
        }
        let head = &toks[i];
        let rest = &toks[i + 1..];
        let Some(name) = head.ident() else {
            self.error(
                ctx,
                (head.start, head.end),
                format!(
                    "expected a label, directive or instruction, found {}",
                    describe(head, &ctx.text)
                ),
            );
            return;
        };
        let name = name.to_string();
        let hspan = (head.start, head.end);
        if rest.first().is_some_and(|t| t.is_p("=")) {
            let r = self.assign(ctx, &name, hspan, &rest[1..], e, true, false);
            if let Err((sp, m)) = r {
                self.error(ctx, sp, m);
            }
            return;
        }
        if name.starts_with('.') {
            if let Err((sp, m)) = self.directive(ctx, &name, hspan, rest, e) {
                self.error(ctx, sp, m);
            }
            return;
        }
        if let Some(m) = self.units[self.cur_unit].macros.get(&name).cloned() {
            self.expand_macro(ctx, m, hspan, head.end, e);
            return;
        }
        if let Err((sp, m)) = self.instruction(ctx, &name, hspan, rest, e) {
            self.error(ctx, sp, m);
        }
    }

    fn define_label(&mut self, ctx: &Rc<LineCtx>, name: &str, span: Span) {
        let val = Def::Label(self.cur_sec, self.cur_off());
        if let Err((sp, m)) = self.define(ctx, name, span, val, false) {
            self.error(ctx, sp, m);
        }
        self.sections[self.cur_sec as usize].has_syms = true;
    }

    fn sym_entry(&mut self, name: &str) -> &mut SymEntry {
        use std::collections::hash_map::Entry;
        match self.units[self.cur_unit].syms.entry(name.to_string()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => {
                self.sym_order += 1;
                v.insert(SymEntry::new(self.sym_order - 1))
            }
        }
    }

    fn define(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        span: Span,
        def: Def,
        redefinable: bool,
    ) -> Result<(), PErr> {
        let prev = {
            let e = self.sym_entry(name);
            if e.def.is_some() && !(redefinable && e.redefinable) {
                e.def_loc.clone()
            } else {
                e.def = Some(def);
                e.def_loc = Some((ctx.clone(), span));
                e.redefinable = redefinable;
                e.cache = None;
                return Ok(());
            }
        };
        let where_ = prev
            .map(|(c, s)| format!(" (first defined at {})", self.loc_string(&c, s)))
            .unwrap_or_default();
        Err((
            span,
            format!(
                "`{}` is already defined{where_}; rename one of them",
                display_name(name)
            ),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn assign(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        span: Span,
        toks: &[Token],
        end: usize,
        redefinable: bool,
        equiv: bool,
    ) -> Result<(), PErr> {
        if !name.starts_with(|c: char| lex::is_ident_start(c as u8)) || name == "." {
            return Err((span, format!("`{name}` cannot be assigned a value")));
        }
        let e = self.parse_expr(ctx, toks, end)?;
        if equiv
            && self.units[self.cur_unit]
                .syms
                .get(name)
                .is_some_and(|e| e.def.is_some())
        {
            return Err((span, format!("`.equiv`: `{name}` is already defined")));
        }
        let def = match self.eval1(&e) {
            Ok(v) => Def::Value(v),
            Err(EvalErr::Unknown) => Def::Deferred(Box::new((
                Rc::new(e),
                ctx.clone(),
                (self.cur_sec, self.cur_off()),
                self.seq,
            ))),
            Err(EvalErr::Error(s, m)) => return Err((s, m)),
            Err(EvalErr::Reported) => return Ok(()),
        };
        self.define(ctx, name, span, def, redefinable)
    }

    // ---------------------------------------------------------------- macros

    fn expand_macro(&mut self, ctx: &Rc<LineCtx>, m: Rc<Macro>, hspan: Span, s: usize, e: usize) {
        if ctx.depth == 0 && self.outer_nest == 0 {
            // A new top-level call: report its own problems.
            self.expansion_overflow = false;
        }
        if self.outer_nest + ctx.depth >= MAX_MACRO_DEPTH {
            // Stop every expansion in progress: one error is enough.
            self.expansion_overflow = true;
            self.error(
                ctx,
                hspan,
                format!(
                    "macro expansion nested more than {MAX_MACRO_DEPTH} deep; does macro `{}` call itself without end?",
                    m.name
                ),
            );
            return;
        }
        if self.expansion_overflow {
            return;
        }
        let text = &ctx.text[s..e];
        let mut values: Vec<Option<String>> = vec![None; m.params.len()];
        let args = split_args(text);
        let mut positional = 0;
        for (a_off, a) in args {
            let a_span = (s + a_off, s + a_off + a.len().max(1));
            // keyword argument `name=value` (but not `==`)
            if let Some((k, v)) = a.split_once('=') {
                let k = k.trim();
                if !v.starts_with('=') && !k.ends_with(['!', '<', '>']) {
                    if let Some(p) = m.params.iter().position(|(n, _)| n == k) {
                        values[p] = Some(v.trim().to_string());
                        continue;
                    }
                }
            }
            if positional >= m.params.len() {
                self.error(
                    ctx,
                    a_span,
                    format!(
                        "too many arguments for macro `{}` (it takes {}: {})",
                        m.name,
                        m.params.len(),
                        m.params
                            .iter()
                            .map(|p| p.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return;
            }
            values[positional] = Some(a.trim().to_string());
            positional += 1;
        }
        let mut bound = Vec::new();
        for (i, (pname, default)) in m.params.iter().enumerate() {
            match values[i].take().or_else(|| default.clone()) {
                Some(v) => bound.push((pname.clone(), v)),
                None => {
                    self.error(
                        ctx,
                        hspan,
                        format!(
                            "macro `{}` needs a value for parameter `{pname}` (it has no default)",
                            m.name
                        ),
                    );
                    return;
                }
            }
        }
        let counter = self.macro_counter;
        self.macro_counter += 1;
        let mut notes = ctx.notes.as_ref().clone();
        notes.insert(
            0,
            rf_object::cap_quotes(&format!(
                "{}: note: in expansion of macro `{}`",
                self.loc_string(ctx, hspan),
                m.name
            )),
        );
        if notes.len() > MAX_NOTES {
            notes.truncate(MAX_NOTES - 1);
            notes.push("note: ... (outer macro expansions omitted)".to_string());
        }
        let notes = Rc::new(notes);
        let conds = self.conds.len();
        self.macro_nest += 1;
        self.run_body(ctx, hspan, &m.name, &m.body, &bound, counter, &notes);
        self.macro_nest -= 1;
        if self.exitm {
            // `.exitm` leaves the conditionals opened in this expansion too.
            self.exitm = false;
            self.conds.truncate(conds);
        }
    }

    /// Processes the lines of a macro / `.rept` / `.irp` body with parameters substituted.
    #[allow(clippy::too_many_arguments)]
    fn run_body(
        &mut self,
        ctx: &Rc<LineCtx>,
        hspan: Span,
        what: &str,
        body: &[(Rc<str>, u32, u32)],
        bound: &[(String, String)],
        counter: u32,
        notes: &Rc<Vec<String>>,
    ) {
        for (body, file, line) in body {
            if self.units[self.cur_unit].ended {
                break;
            }
            self.expanded += 1;
            if self.expanded > MAX_EXPANDED_LINES {
                self.expansion_overflow = true;
                self.error(
                    ctx,
                    hspan,
                    format!(
                        "macro expansion produced more than {MAX_EXPANDED_LINES} lines; stopping (runaway recursion?)"
                    ),
                );
                return;
            }
            let (text, unknown) = substitute(body, bound, counter);
            if let Some(u) = unknown {
                let names: Vec<&str> = bound.iter().map(|(p, _)| p.as_str()).collect();
                let c = LineCtx {
                    file: *file,
                    line: *line,
                    text: body.clone(),
                    display: body.clone(),
                    listing: ctx.listing,
                    phys: ctx.phys,
                    notes: notes.clone(),
                    depth: ctx.depth + 1,
                    ascii: body.is_ascii(),
                };
                let at = body.find(&format!("\\{u}")).unwrap_or(0);
                self.error(
                    &c,
                    (at, at + 1 + u.len()),
                    format!(
                        "`\\{u}` is not a parameter of `{what}`{}",
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!(" (its parameters: {})", names.join(", "))
                        }
                    ),
                );
                continue;
            }
            if text.len() > MAX_LINE {
                self.expansion_overflow = true;
                self.error(
                    ctx,
                    hspan,
                    format!(
                        "`{what}` expanded to a line longer than {MAX_LINE} bytes; stopping (do its arguments grow on every call?)"
                    ),
                );
                return;
            }
            let text: Rc<str> = text.into();
            let c = Rc::new(LineCtx {
                file: *file,
                line: *line,
                text: text.clone(),
                ascii: text.is_ascii(),
                display: text,
                listing: ctx.listing,
                phys: ctx.phys,
                notes: notes.clone(),
                depth: ctx.depth + 1,
            });
            self.process_line(&c);
            if self.expansion_overflow || self.exitm {
                return;
            }
        }
    }

    /// Expands a finished `.rept` or `.irp` block.
    fn expand_block(&mut self, mb: MacroBuild) {
        let ctx = mb.ctx.clone();
        if ctx.depth == 0 && self.outer_nest == 0 {
            self.expansion_overflow = false;
        }
        if self.outer_nest + ctx.depth >= MAX_MACRO_DEPTH {
            self.expansion_overflow = true;
            self.error(
                &ctx,
                mb.span,
                format!("`{}` nested more than {MAX_MACRO_DEPTH} deep", mb.name),
            );
            return;
        }
        let mut notes = ctx.notes.as_ref().clone();
        notes.insert(
            0,
            format!(
                "{}: note: in expansion of `{}`",
                self.loc_string(&ctx, mb.span),
                mb.name
            ),
        );
        notes.truncate(MAX_NOTES);
        let notes = Rc::new(notes);
        // The values of a run: none (.rept), a list (.irp) or a text's characters (.irpc).
        let (n, param, values, text) = match mb.kind {
            BlockKind::Rept(n) => (n as u64, None, Vec::new(), String::new()),
            BlockKind::Irp(p, values) => (values.len() as u64, Some(p), values, String::new()),
            BlockKind::Irpc(p, text) => (text.chars().count() as u64, Some(p), Vec::new(), text),
            BlockKind::Macro => return,
        };
        let mut chars = text.chars();
        // Every repetition counts against the expansion budget, even of an empty body.
        if self.expanded + n > MAX_EXPANDED_LINES {
            let what = match param {
                None => format!("`.rept {n}`"),
                Some(_) => format!("`{}` with {n} values", mb.name),
            };
            self.error(
                &ctx,
                mb.span,
                format!("{what} goes past the {MAX_EXPANDED_LINES}-line expansion limit"),
            );
            return;
        }
        self.expanded += n;
        for i in 0..n as usize {
            // One binding at a time: nothing is made per run up front.
            let bound = match &param {
                Some(p) => {
                    let v = match values.get(i) {
                        Some(v) => v.clone(),
                        None => chars.next().map(String::from).unwrap_or_default(),
                    };
                    vec![(p.clone(), v)]
                }
                None => Vec::new(),
            };
            let counter = self.macro_counter;
            self.macro_counter += 1;
            self.run_body(&ctx, mb.span, &mb.name, &mb.body, &bound, counter, &notes);
            if self.expansion_overflow || self.units[self.cur_unit].ended || self.exitm {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- directives

    fn directive(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        hspan: Span,
        rest: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let lname = name.to_ascii_lowercase();
        let switch = matches!(lname.as_str(), ".else" | ".elseif" | ".elsif" | ".endif");
        let around = if switch {
            // `.else` and `.endif` belong to the innermost conditional: what counts is
            // whether the lines around it are assembled.
            self.conds.last().is_none_or(|c| c.outer)
        } else {
            self.cond_on()
        };
        if !around {
            // Only conditionals get here (the rest of a skipped line is not read): they nest,
            // and nothing is evaluated.
            match lname.as_str() {
                ".else" => self.cond_else(name, hspan, None)?,
                ".elseif" | ".elsif" => self.cond_else(name, hspan, Some(&|_| Ok(false)))?,
                ".endif" => {
                    self.conds.pop();
                }
                _ => self.cond_open(ctx, hspan, |_| Ok(false)),
            }
            return Ok(());
        }
        // Text comparisons take their operands as text (an empty macro argument leaves `, b`).
        match lname.as_str() {
            ".ifb" | ".ifnb" => {
                let blank = ctx.text[hspan.1..end].trim().is_empty();
                self.cond_open(ctx, hspan, |_| Ok(blank == (lname == ".ifb")));
                return Ok(());
            }
            ".ifc" | ".ifnc" => {
                let sp = (hspan.0, end.max(hspan.1));
                let args = split_args(&ctx.text[hspan.1..end]);
                self.cond_open(ctx, hspan, |_| {
                    let [(_, a), (_, b)] = args.as_slice() else {
                        return Err((sp, format!("`{name}` expects two strings: `{name} a, b`")));
                    };
                    // GNU as allows single quotes around a string that holds spaces or commas.
                    let unq = |s: &str| {
                        s.strip_prefix('\'')
                            .and_then(|s| s.strip_suffix('\''))
                            .map(str::to_string)
                            .unwrap_or_else(|| s.to_string())
                    };
                    Ok((unq(a) == unq(b)) == (lname == ".ifc"))
                });
                return Ok(());
            }
            _ => {}
        }
        let ops = split_operands(rest, end)?;
        let need = |n: usize, what: &str| -> Result<(), PErr> {
            if ops.len() != n {
                Err((
                    (hspan.0, end.max(hspan.1)),
                    format!("`{name}` expects {what}, found {} operand(s)", ops.len()),
                ))
            } else {
                Ok(())
            }
        };
        let op_end = |i: usize| -> usize {
            ops.get(i + 1)
                .and_then(|o| o.first())
                .map(|t| t.start.saturating_sub(1))
                .unwrap_or(end)
        };
        match lname.as_str() {
            ".text" | ".data" | ".rodata" | ".bss" => {
                need(0, "no operands")?;
                self.cur_sec = self.section_id(&lname);
            }
            ".section" => self.section_directive(rest, hspan, end)?,
            ".equ" | ".set" | ".equiv" => {
                if ops.len() != 2 {
                    need(2, "a name and a value (`.equ NAME, VALUE`)")?;
                }
                let (sym, sspan) = single_ident(ops[0], "a symbol name", end)?;
                self.assign(
                    ctx,
                    &sym,
                    sspan,
                    ops[1],
                    end,
                    lname != ".equiv",
                    lname == ".equiv",
                )?;
            }
            ".global" | ".globl" | ".weak" => {
                if ops.is_empty() {
                    need(1, "one or more symbol names")?;
                }
                for o in &ops {
                    let (sym, _) = single_ident(o, "a symbol name", end)?;
                    let e = self.sym_entry(&sym);
                    e.global = true;
                    e.weak |= lname == ".weak";
                }
            }
            ".comm" | ".lcomm" => {
                if ops.len() < 2 || ops.len() > 3 {
                    need(
                        2,
                        "a name, a size and an optional alignment (`.comm NAME, SIZE[, ALIGN]`)",
                    )?;
                }
                let (sym, sspan) = single_ident(ops[0], "a symbol name", end)?;
                let size = self.const_now(ctx, ops[1], op_end(1), "the size")?;
                if size as u64 > MAX_IMAGE {
                    return Err((
                        span_of(ops[1], op_end(1)),
                        format!("size {size} exceeds the 256 MiB image limit"),
                    ));
                }
                let align = match ops.get(2) {
                    Some(o) => {
                        let a = self.const_now(ctx, o, end, "the alignment")?;
                        if a > MAX_ALIGN || !(a == 0 || a.is_power_of_two()) {
                            return Err((
                                span_of(o, end),
                                format!("alignment {a} is not a power of two up to 4096"),
                            ));
                        }
                        a.max(1)
                    }
                    // GNU as: the size's natural alignment, up to 16.
                    None => size.max(1).next_power_of_two().min(16),
                };
                let prev = self.cur_sec;
                self.cur_sec = self.section_id(".bss");
                let pad = (align - self.cur_off() % align) % align;
                self.reserve(ctx, hspan, pad as u64, &[0]);
                let sec = &mut self.sections[self.cur_sec as usize];
                sec.align = sec.align.max(align);
                self.define_label(ctx, &sym, sspan);
                let dot = (self.cur_sec, self.cur_off());
                let seq = self.seq;
                let e = self.sym_entry(&sym);
                e.global |= lname == ".comm";
                e.kind = SymbolKind::Object;
                e.size = Some(Box::new((Expr::Num(size), ctx.clone(), dot, seq)));
                self.reserve(ctx, hspan, size as u64, &[0]);
                self.cur_sec = prev;
            }
            ".pushsection" => {
                let prev = self.cur_sec;
                self.section_directive(rest, hspan, end)?;
                self.sec_stack.push(prev);
            }
            ".popsection" => {
                need(0, "no operands")?;
                self.cur_sec = self.sec_stack.pop().ok_or_else(|| {
                    (
                        hspan,
                        "`.popsection` without a matching `.pushsection`".to_string(),
                    )
                })?;
            }
            ".incbin" => self.incbin(ctx, hspan, &ops, end, &op_end)?,
            ".type" => {
                if ops.len() != 2 {
                    need(2, "a name and a type (`.type NAME, @function`)")?;
                }
                let (sym, _) = single_ident(ops[0], "a symbol name", end)?;
                let tt: Vec<&Token> = ops[1]
                    .iter()
                    .filter(|t| !t.is_p("@") && !t.is_p("%"))
                    .collect();
                let kind = match tt.as_slice() {
                    [t] => match t.ident().map(|s| s.to_ascii_lowercase()).as_deref() {
                        Some("function" | "stt_func") => SymbolKind::Func,
                        Some("object" | "stt_object") => SymbolKind::Object,
                        Some("notype" | "stt_notype") => SymbolKind::None,
                        _ => {
                            return Err((
                                (t.start, t.end),
                                "expected a symbol type: @function, @object or @notype".into(),
                            ))
                        }
                    },
                    _ => {
                        return Err((
                            (hspan.0, end),
                            "expected a symbol type: @function, @object or @notype".into(),
                        ))
                    }
                };
                self.sym_entry(&sym).kind = kind;
            }
            ".size" => {
                if ops.len() != 2 {
                    need(2, "a name and a size (`.size NAME, . - NAME`)")?;
                }
                let (sym, _) = single_ident(ops[0], "a symbol name", end)?;
                let e = self.parse_expr(ctx, ops[1], end)?;
                let dot = (self.cur_sec, self.cur_off());
                let seq = self.seq;
                self.sym_entry(&sym).size = Some(Box::new((e, ctx.clone(), dot, seq)));
            }
            ".byte" | ".half" | ".short" | ".2byte" | ".hword" | ".word" | ".long" | ".4byte"
            | ".int" | ".quad" | ".8byte" => {
                let size = match lname.as_str() {
                    ".byte" => 1,
                    ".half" | ".short" | ".2byte" | ".hword" => 2,
                    ".quad" | ".8byte" => 8,
                    _ => 4,
                };
                for (i, o) in ops.iter().enumerate() {
                    let oe = op_end(i);
                    let span = (o.first().map_or(oe, |t| t.start), oe);
                    let r = self
                        .imm_operand(ctx, o, oe)
                        .and_then(|e| self.data_value(ctx, e, span, size));
                    if let Err((sp, m)) = r {
                        self.error(ctx, sp, m);
                    }
                }
            }
            ".ascii" | ".asciz" | ".string" => {
                if ops.is_empty() {
                    need(1, "one or more strings")?;
                }
                let mut bytes = Vec::new();
                for o in &ops {
                    match o {
                        [Token {
                            tok: Tok::Str(b), ..
                        }] => {
                            bytes.extend_from_slice(b);
                            if lname != ".ascii" {
                                bytes.push(0);
                            }
                        }
                        _ => {
                            let sp = (
                                o.first().map_or(end, |t| t.start),
                                o.last().map_or(end, |t| t.end),
                            );
                            return Err((sp, "expected a string in double quotes".into()));
                        }
                    }
                }
                if let Some(off) = self.emit(ctx, hspan, &bytes) {
                    self.note_line(ctx, off);
                }
            }
            ".space" | ".skip" | ".zero" => {
                if ops.is_empty() || ops.len() > 2 || (lname == ".zero" && ops.len() != 1) {
                    need(1, "a size and an optional fill byte (`.space N[, FILL]`)")?;
                }
                let n = self.const_now(ctx, ops[0], op_end(0), "the size")?;
                let fill = if ops.len() == 2 {
                    let f = self.const_now(ctx, ops[1], end, "the fill byte")?;
                    byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], end),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?
                } else {
                    0
                };
                if n as u64 > MAX_IMAGE {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!("size {n} exceeds the 256 MiB image limit"),
                    ));
                }
                self.reserve(ctx, hspan, n as u64, &[fill]);
            }
            ".fill" => {
                if ops.is_empty() || ops.len() > 3 {
                    need(1, "`.fill REPEAT[, SIZE[, VALUE]]`")?;
                }
                let rep = self.const_now(ctx, ops[0], op_end(0), "the repeat count")?;
                let size = if ops.len() > 1 {
                    self.const_now(ctx, ops[1], op_end(1), "the size")?
                } else {
                    1
                };
                let value = if ops.len() > 2 {
                    self.const_now(ctx, ops[2], end, "the value")?
                } else {
                    0
                };
                if size > 8 {
                    return Err((
                        span_of(ops[1], op_end(1)),
                        format!("`.fill` size must be 0..8 bytes, found {size}"),
                    ));
                }
                let total = rep as u64 * size as u64;
                if total > MAX_IMAGE {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!("`.fill` of {total} bytes is larger than the 256 MiB image limit"),
                    ));
                }
                let mut pat = (value as u64).to_le_bytes()[..size as usize].to_vec();
                if pat.is_empty() {
                    return Ok(());
                }
                if pat.len() > 4 {
                    pat[4..].iter_mut().for_each(|b| *b = 0);
                }
                let off = self.cur_off();
                self.reserve(ctx, hspan, total, &pat);
                if total > 0 && !self.sections[self.cur_sec as usize].nobits {
                    self.note_line(ctx, off);
                }
            }
            ".align" | ".p2align" | ".balign" => {
                if ops.is_empty() || ops.len() > 3 {
                    need(
                        1,
                        "an alignment, an optional fill byte and an optional maximum",
                    )?;
                }
                let a = self.const_now(ctx, ops[0], op_end(0), "the alignment")?;
                let align = if lname == ".balign" {
                    if a == 0 {
                        1
                    } else if !a.is_power_of_two() {
                        return Err((
                            span_of(ops[0], op_end(0)),
                            format!("`.balign` needs a power of two, found {a}"),
                        ));
                    } else {
                        a
                    }
                } else if a > 12 {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!(
                            "`{name} {a}` asks for 2^{a} bytes; the largest alignment is 2^12 = 4096 (sections start on 4 KiB pages)"
                        ),
                    ));
                } else {
                    1u32 << a
                };
                if align > MAX_ALIGN {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!(
                            "alignment {align} is larger than 4096 (sections start on 4 KiB pages)"
                        ),
                    ));
                }
                let fill = if ops.len() > 1 && !ops[1].is_empty() {
                    let f = self.const_now(ctx, ops[1], op_end(1), "the fill byte")?;
                    Some(byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], op_end(1)),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?)
                } else {
                    None
                };
                let max = if ops.len() > 2 {
                    Some(self.const_now(ctx, ops[2], end, "the maximum")?)
                } else {
                    None
                };
                let off = self.cur_off();
                let pad = (align - off % align) % align;
                if max.is_some_and(|m| pad > m) {
                    return Ok(());
                }
                let sec = &mut self.sections[self.cur_sec as usize];
                sec.align = sec.align.max(align);
                let sec = &self.sections[self.cur_sec as usize];
                let pattern = match fill {
                    Some(f) => vec![f],
                    None if sec.flags.exec
                        && off.is_multiple_of(4)
                        && pad.is_multiple_of(4)
                        && !sec.nobits =>
                    {
                        nop_word().to_le_bytes().to_vec()
                    }
                    None => vec![0],
                };
                self.reserve(ctx, hspan, pad as u64, &pattern);
            }
            ".org" => {
                if ops.is_empty() || ops.len() > 2 {
                    need(1, "an offset and an optional fill byte")?;
                }
                let e = self.parse_expr(ctx, ops[0], op_end(0))?;
                let sp = span_of(ops[0], op_end(0));
                let target = match self.eval1(&e) {
                    Ok(Val { sec: None, v }) => v,
                    Ok(Val { sec: Some(s), v }) if s == self.cur_sec => v,
                    Ok(_) => {
                        return Err((sp, "`.org` needs an offset in the current section".into()))
                    }
                    Err(EvalErr::Unknown) => {
                        return Err((
                            sp,
                            "`.org` needs a value known at this point (no forward references)"
                                .into(),
                        ))
                    }
                    Err(EvalErr::Error(s, m)) => return Err((s, m)),
                    Err(EvalErr::Reported) => return Ok(()),
                };
                let fill = if ops.len() == 2 {
                    let f = self.const_now(ctx, ops[1], end, "the fill byte")?;
                    byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], end),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?
                } else {
                    0
                };
                let cur = self.cur_off();
                if target < cur {
                    return Err((
                        sp,
                        format!(
                            "`.org` cannot move backwards: the section is already at offset {cur:#x}, asked for {target:#x}"
                        ),
                    ));
                }
                self.reserve(ctx, hspan, (target - cur) as u64, &[fill]);
            }
            ".include" => {
                let [[Token {
                    tok: Tok::Str(b),
                    start,
                    end: tend,
                }]] = ops.as_slice()
                else {
                    return Err((
                        (hspan.0, end),
                        "`.include` expects a file name in double quotes".into(),
                    ));
                };
                let fname = String::from_utf8_lossy(b).to_string();
                self.include(ctx, &fname, (*start, *tend));
            }
            ".macro" => {
                let (mname, params) = parse_macro_header(&ctx.text, hspan.1, end)?;
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Macro,
                    name: mname,
                    params,
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".rept" => {
                let n = if ops.len() != 1 {
                    need(1, "a repeat count (`.rept N`)").map(|_| 0)
                } else {
                    self.const_now(ctx, ops[0], end, "the repeat count")
                        .and_then(|n| {
                            if n as u64 > MAX_EXPANDED_LINES {
                                Err((
                                    span_of(ops[0], end),
                                    format!(
                                        "repeat count {n} exceeds the limit {MAX_EXPANDED_LINES}"
                                    ),
                                ))
                            } else {
                                Ok(n)
                            }
                        })
                };
                // A bad count still opens the block (repeated 0 times), so that its `.endr`
                // is not reported as well.
                let n = n.unwrap_or_else(|(sp, m)| {
                    self.error(ctx, sp, m);
                    0
                });
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Rept(n),
                    name: ".rept".into(),
                    params: Vec::new(),
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".irp" => {
                if ops.is_empty() {
                    need(1, "a parameter name and values (`.irp P, V1, V2`)")?;
                }
                // A bad header still opens the block (run 0 times): its `.endr` must match.
                let (p, values) = match single_ident(ops[0], "a parameter name", end) {
                    Ok((p, _)) => {
                        let values = ops[1..]
                            .iter()
                            .map(|o| {
                                let sp = span_of(o, end);
                                ctx.text[sp.0..sp.1].to_string()
                            })
                            .collect();
                        (p, values)
                    }
                    Err((sp, m)) => {
                        self.error(ctx, sp, m);
                        (String::new(), Vec::new())
                    }
                };
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Irp(p, values),
                    name: ".irp".into(),
                    params: Vec::new(),
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".endr" => return Err((hspan, "`.endr` without a matching `.rept` or `.irp`".into())),
            ".endm" => return Err((hspan, "`.endm` without a matching `.macro`".into())),

            ".end" => {
                self.units[self.cur_unit].ended = true;
            }
            ".if" | ".ifne" | ".ifeq" | ".ifgt" | ".ifge" | ".iflt" | ".ifle" => {
                let sp = (hspan.0, end.max(hspan.1));
                self.cond_open(ctx, hspan, |a| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one expression")));
                    };
                    let v = a.const_now(ctx, t, end, "the condition")?;
                    // Comparisons with zero are signed, as in GNU as (`.iflt -1` holds).
                    let sv = v as i32;
                    Ok(match lname.as_str() {
                        ".if" | ".ifne" => v != 0,
                        ".ifeq" => v == 0,
                        ".ifgt" => sv > 0,
                        ".ifge" => sv >= 0,
                        ".iflt" => sv < 0,
                        _ => sv <= 0,
                    })
                });
            }
            ".ifdef" | ".ifndef" | ".ifnotdef" => {
                let sp = (hspan.0, end.max(hspan.1));
                self.cond_open(ctx, hspan, |a| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one symbol name")));
                    };
                    let (sym, _) = single_ident(t, "a symbol name", end)?;
                    let defined = a.units[a.cur_unit]
                        .syms
                        .get(&sym)
                        .is_some_and(|e| e.def.is_some());
                    Ok(defined == (lname == ".ifdef"))
                });
            }
            ".else" => {
                need(0, "no operands")?;
                self.cond_else(name, hspan, None)?;
            }
            ".elseif" | ".elsif" => {
                let sp = (hspan.0, end.max(hspan.1));
                let test = |a: &Self| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one expression")));
                    };
                    Ok(a.const_now(ctx, t, end, "the condition")? != 0)
                };
                self.cond_else(name, hspan, Some(&test))?;
            }
            ".endif" => {
                need(0, "no operands")?;
                if self.conds.pop().is_none() {
                    return Err((hspan, "`.endif` without a matching `.if`".into()));
                }
            }
            ".error" | ".warning" | ".err" => {
                let msg = match ops.as_slice() {
                    [] => format!("`{name}` directive"),
                    [[Token {
                        tok: Tok::Str(b), ..
                    }]] => String::from_utf8_lossy(b).to_string(),
                    _ => {
                        return Err((
                            (hspan.0, end),
                            format!("`{name}` expects a message in double quotes"),
                        ))
                    }
                };
                if lname == ".warning" {
                    self.warn(ctx, hspan, msg);
                } else {
                    return Err((hspan, msg));
                }
            }
            ".exitm" => {
                need(0, "no operands")?;
                if self.macro_nest == 0 {
                    return Err((hspan, "`.exitm` outside a macro".into()));
                }
                self.exitm = true;
            }
            _ => {
                let best = DIRECTIVES
                    .iter()
                    .chain(COND_DIRECTIVES.iter())
                    .map(|k| (edit_distance(&lname, k), k))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err((hspan, format!("unknown directive `{name}`{best}")));
            }
        }
        Ok(())
    }

    fn section_directive(&mut self, rest: &[Token], hspan: Span, end: usize) -> Result<(), PErr> {
        let ops = split_operands(rest, end)?;
        let Some(first) = ops.first() else {
            return Err((hspan, "`.section` expects a section name".into()));
        };
        let name = match first {
            [Token {
                tok: Tok::Ident(n), ..
            }] => n.clone(),
            [Token {
                tok: Tok::Str(b), ..
            }] => String::from_utf8_lossy(b).to_string(),
            _ => {
                return Err((
                    span_of(first, end),
                    "expected a section name like `.text.boot` or `\"name\"`".into(),
                ))
            }
        };
        if name.is_empty() || name.len() > 200 || name.contains('\0') {
            return Err((span_of(first, end), "invalid section name".into()));
        }
        let (mut flags, mut nobits) = default_section(&name);
        let mut explicit = false;
        if let Some(f) = ops.get(1) {
            let [Token {
                tok: Tok::Str(b), ..
            }] = f
            else {
                return Err((
                    span_of(f, end),
                    "expected section flags in quotes, like \"ax\", \"aw\" or \"a\"".into(),
                ));
            };
            flags = SegFlags::R;
            for &c in b.iter() {
                match c {
                    b'a' => {}
                    b'w' => flags.write = true,
                    b'x' => flags.exec = true,
                    _ => {
                        return Err((
                            span_of(f, end),
                            format!(
                                "unknown section flag `{}`: use a (allocate), w (writable), x (executable)",
                                c as char
                            ),
                        ))
                    }
                }
            }
            explicit = true;
        }
        if let Some(t) = ops.get(2) {
            let ty: Vec<&Token> = t.iter().filter(|t| !t.is_p("@") && !t.is_p("%")).collect();
            match ty.as_slice() {
                [t] if t.ident() == Some("nobits") => nobits = true,
                [t] if t.ident() == Some("progbits") => nobits = false,
                _ => {
                    return Err((
                        span_of(t, end),
                        "expected a section type: @progbits or @nobits".into(),
                    ))
                }
            }
            explicit = true;
        }
        if ops.len() > 3 {
            return Err((
                span_of(ops[3], end),
                "`.section` takes a name, flags and a type; found more".into(),
            ));
        }
        let existed = self.sec_by_name.contains_key(&name);
        let id = self.section_id(&name);
        let sec = &mut self.sections[id as usize];
        if explicit {
            if existed && sec.explicit_flags && (sec.flags != flags || sec.nobits != nobits) {
                return Err((
                    span_of(first, end),
                    format!(
                        "section `{name}` was declared before with other flags ({}{})",
                        sec.flags,
                        if sec.nobits { ", @nobits" } else { "" }
                    ),
                ));
            }
            if existed && sec.size > 0 && sec.nobits != nobits {
                return Err((
                    span_of(first, end),
                    format!("section `{name}` already has contents; its type cannot change"),
                ));
            }
            sec.flags = flags;
            sec.nobits = nobits;
            sec.explicit_flags = true;
        }
        self.cur_sec = id;
        Ok(())
    }

    /// `.irpc P, text` … `.endr`: the body once per character of the text, with `\P` replaced.
    fn irpc(&mut self, ctx: &Rc<LineCtx>, hspan: Span, end: usize) {
        let rest = &ctx.text[hspan.1..end];
        let (p, text) = rest.split_once(',').unwrap_or((rest, ""));
        let p = p.trim();
        let text = text.trim();
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let valid =
            p.bytes().next().is_some_and(lex::is_ident_start) && p.bytes().all(lex::is_ident_char);
        // A bad header still opens the block (run 0 times): its `.endr` must match.
        let (p, text) = if valid {
            (p.to_string(), text.to_string())
        } else {
            self.error(
                ctx,
                (hspan.0, end),
                "`.irpc` expects a parameter name and a text (`.irpc P, TEXT`)".into(),
            );
            (String::new(), String::new())
        };
        self.collecting = Some(MacroBuild {
            kind: BlockKind::Irpc(p, text),
            name: ".irpc".into(),
            params: Vec::new(),
            body: Vec::new(),
            depth: 1,
            ctx: ctx.clone(),
            span: hspan,
        });
    }

    /// Where `.include`/`.incbin` find `fname`: relative to the including file's folder, then
    /// in each `-I` directory.
    fn find_file(&self, ctx: &LineCtx, fname: &str, what: &str) -> Result<PathBuf, String> {
        let mut candidates = Vec::new();
        let p = Path::new(fname);
        if p.is_absolute() {
            candidates.push(p.to_path_buf());
        } else {
            if let Some(dir) = self.files[ctx.file as usize]
                .1
                .as_ref()
                .and_then(|f| f.parent())
            {
                candidates.push(dir.join(p));
            } else {
                candidates.push(p.to_path_buf());
            }
            for d in &self.include_dirs {
                candidates.push(d.join(p));
            }
        }
        match candidates.iter().find(|c| c.is_file()) {
            Some(f) => Ok(f.clone()),
            None => {
                let tried: Vec<String> =
                    candidates.iter().map(|c| c.display().to_string()).collect();
                Err(format!(
                    "cannot find {what} `{fname}` (looked at: {}); add its directory with -I",
                    tried.join(", ")
                ))
            }
        }
    }

    /// `.incbin "file"[, skip[, count]]`: the file's bytes (from `skip`, `count` of them).
    fn incbin(
        &mut self,
        ctx: &Rc<LineCtx>,
        hspan: Span,
        ops: &[&[Token]],
        end: usize,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        use std::io::{Read, Seek, SeekFrom};
        let (fname, fspan) = match ops.first() {
            Some(
                [Token {
                    tok: Tok::Str(b),
                    start,
                    end: tend,
                }],
            ) if ops.len() <= 3 => (String::from_utf8_lossy(b).to_string(), (*start, *tend)),
            _ => {
                return Err((
                    (hspan.0, end),
                    "`.incbin` expects a file name in double quotes, then an optional skip and count (`.incbin \"f\"[, SKIP[, COUNT]]`)".into(),
                ))
            }
        };
        let skip = match ops.get(1) {
            Some(o) => self.const_now(ctx, o, op_end(1), "the skip")? as u64,
            None => 0,
        };
        let count = match ops.get(2) {
            Some(o) => Some(self.const_now(ctx, o, op_end(2), "the count")? as u64),
            None => None,
        };
        let path = self
            .find_file(ctx, &fname, "file")
            .map_err(|m| (fspan, m))?;
        let shown = path.display().to_string();
        let cant = |e: std::io::Error| (fspan, format!("cannot read `{shown}`: {e}"));
        let mut f = std::fs::File::open(&path).map_err(cant)?;
        let len = f.metadata().map_err(cant)?.len();
        if skip > len {
            return Err((
                span_of(ops[1], op_end(1)),
                format!("skip {skip} is past the end of `{shown}` ({len} bytes)"),
            ));
        }
        let count = count.unwrap_or(len - skip);
        if skip + count > len {
            return Err((
                span_of(ops[2], op_end(2)),
                format!(
                    "`{shown}` has {} bytes after skip {skip}, fewer than the {count} asked for",
                    len - skip
                ),
            ));
        }
        // Checked before reading: a huge file is refused without loading it.
        if self.total + count > MAX_IMAGE {
            return Err((
                fspan,
                format!(
                    "`{shown}` ({count} bytes) would make the image larger than the 256 MiB limit"
                ),
            ));
        }
        let mut bytes = Vec::with_capacity(count as usize);
        f.seek(SeekFrom::Start(skip)).map_err(cant)?;
        f.take(count).read_to_end(&mut bytes).map_err(cant)?;
        if (bytes.len() as u64) < count {
            return Err((fspan, format!("`{shown}` became shorter while being read")));
        }
        if let Some(off) = self.emit(ctx, hspan, &bytes) {
            self.note_line(ctx, off);
        }
        Ok(())
    }

    fn include(&mut self, ctx: &Rc<LineCtx>, fname: &str, span: Span) {
        if self.include_depth >= MAX_INCLUDE_DEPTH || self.outer_nest + ctx.depth >= MAX_MACRO_DEPTH
        {
            self.error(
                ctx,
                span,
                format!(
                    "`.include` nested more than {MAX_INCLUDE_DEPTH} deep, or more than {MAX_MACRO_DEPTH} levels of files and macro expansions together (does a file include itself?)"
                ),
            );
            return;
        }
        let found = match self.find_file(ctx, fname, "include file") {
            Ok(f) => f,
            Err(m) => {
                self.error(ctx, span, m);
                return;
            }
        };
        let found = &found;
        let bytes = match std::fs::read(found) {
            Ok(b) => b,
            Err(e) => {
                self.error(ctx, span, format!("cannot read `{}`: {e}", found.display()));
                return;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    ctx,
                    span,
                    format!("`{}` {}", found.display(), utf8_error(e.as_bytes(), &e)),
                );
                return;
            }
        };
        let display = found.display().to_string();
        let file = self.add_file(&display, Some(found.clone()));
        self.include_depth += 1;
        let nest = ctx.depth + 1;
        self.outer_nest += nest;
        self.process_text(file, &text);
        self.outer_nest -= nest;
        self.include_depth -= 1;
    }

    fn data_value(&mut self, ctx: &Rc<LineCtx>, e: Expr, span: Span, size: u8) -> Result<(), PErr> {
        let val = match self.eval1(&e) {
            Ok(Val { sec: None, v }) => Some(v),
            Ok(_) | Err(EvalErr::Unknown) => None,
            Err(EvalErr::Error(s, m)) => return Err((s, m)),
            Err(EvalErr::Reported) => return Ok(()),
        };
        let bytes = match val {
            Some(v) => encode_data(v, size).map_err(|m| (span, m))?,
            None => vec![0; size as usize],
        };
        let dot = (self.cur_sec, self.cur_off());
        let Some(off) = self.emit(ctx, span, &bytes[..size as usize]) else {
            return Ok(());
        };
        self.note_line(ctx, off);
        if val.is_none() {
            self.fixups.push(Fixup {
                sec: self.cur_sec,
                off,
                unit: self.cur_unit,
                dot,
                expr: e,
                kind: FixKind::Data(size),
                ctx: ctx.clone(),
                span,
                seq: self.seq,
            });
        }
        Ok(())
    }

    // ---------------------------------------------------------------- instructions

    fn reg(&self, ctx: &LineCtx, op: &[Token], end: usize) -> Result<u8, PErr> {
        if let [t] = op {
            if let Some(r) = t.ident().and_then(isa_spec::regs::parse_reg) {
                return Ok(r);
            }
        }
        let (span, found) = match op {
            [] => ((end, end), "nothing".to_string()),
            _ => {
                let sp = span_of(op, end);
                (sp, format!("`{}`", &ctx.text[sp.0..sp.1]))
            }
        };
        Err((
            span,
            format!("expected a register (r0..r31 or an ABI name like a0), found {found}"),
        ))
    }

    fn cr(&self, ctx: &LineCtx, op: &[Token], end: usize) -> Result<u8, PErr> {
        if let [t] = op {
            if let Some(r) = t.ident().and_then(isa_spec::cr::parse_cr) {
                return Ok(r);
            }
        }
        let sp = span_of(op, end);
        Err((
            sp,
            format!(
                "expected a control register ({}, or crN), found `{}`",
                isa_spec::cr::CR_NAMES.join(", "),
                &ctx.text[sp.0..sp.1.max(sp.0)]
            ),
        ))
    }

    /// `offset(reg)`, `(reg)`.
    fn mem(
        &self,
        ctx: &LineCtx,
        op: &[Token],
        end: usize,
    ) -> Result<(Option<Expr>, u8, Span), PErr> {
        let n = op.len();
        if n >= 3 && op[n - 1].is_p(")") && op[n - 3].is_p("(") {
            if let Some(r) = op[n - 2].ident().and_then(isa_spec::regs::parse_reg) {
                let off_toks = &op[..n - 3];
                if off_toks.is_empty() {
                    return Ok((None, r, span_of(op, end)));
                }
                let e = self.imm_operand(ctx, off_toks, op[n - 3].start)?;
                return Ok((Some(e), r, span_of(off_toks, end)));
            }
            let t = &op[n - 2];
            return Err((
                (t.start, t.end),
                format!(
                    "expected a base register inside the parentheses, found `{}`",
                    &ctx.text[t.start..t.end]
                ),
            ));
        }
        let sp = span_of(op, end);
        let found = &ctx.text[sp.0..sp.1.max(sp.0)];
        let hint = match op {
            [t] if t.ident().and_then(isa_spec::regs::parse_reg).is_some() => {
                format!(" (write `0({found})`)")
            }
            _ => String::new(),
        };
        Err((
            sp,
            format!("expected a memory operand like `8(sp)` or `(a0)`, found `{found}`{hint}"),
        ))
    }

    fn instruction(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        hspan: Span,
        rest: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let m = name.to_ascii_lowercase();
        let ops = split_operands(rest, end)?;
        let op_end = |i: usize| -> usize {
            ops.get(i + 1)
                .and_then(|o| o.first())
                .map(|t| t.start.saturating_sub(1))
                .unwrap_or(end)
        };
        // Aliases (`nop`, `mv`, `j`, ... and the short forms `jal target`, `jalr rs`): one
        // instruction with some fields fixed, from the table the disassembler prints from.
        if let Some(a) = isa_spec::alias::find(&m, ops.len()) {
            return self.alias_insn(ctx, a, &ops, hspan, &op_end);
        }
        let found = match self.mnemonics.get(&m) {
            Some(op) => *op,
            None => {
                let op = Opcode::from_mnemonic(&m);
                if self.mnemonics.len() < 4096 {
                    self.mnemonics.insert(m.clone(), op);
                }
                op
            }
        };
        if let Some(op) = found {
            let f = op.info().format;
            // `lw rd, symbol` and `sw rs, symbol, rt`: the GNU as forms for a global.
            let kind = op.info().kind;
            let symbolic = |o: &[Token]| {
                let n = o.len();
                let mem = n >= 3 && o[n - 1].is_p(")") && o[n - 3].is_p("(");
                let reg =
                    matches!(o, [t] if t.ident().and_then(isa_spec::regs::parse_reg).is_some());
                !mem && !reg
            };
            if (kind == Kind::Load && ops.len() == 2 && symbolic(ops[1]))
                || (kind == Kind::Store && ops.len() == 3)
            {
                return self.symbol_access(ctx, op, &ops, hspan, &op_end);
            }
            if ops.len() != operand_count(f) {
                let sp = if ops.is_empty() {
                    hspan
                } else {
                    (span_of(ops[0], end).0, end)
                };
                return Err((
                    sp,
                    format!(
                        "`{m}` expects {} operand{} ({}), found {}",
                        operand_count(f),
                        if operand_count(f) == 1 { "" } else { "s" },
                        syntax(f),
                        ops.len()
                    ),
                ));
            }
            return self.real_insn(ctx, op, &ops, end, hspan, &op_end);
        }
        if is_pseudo(&m) {
            return self.pseudo(ctx, &m, &ops, end, hspan, &op_end);
        }
        let mut names: Vec<&str> = OPS.iter().map(|o| o.mnemonic).collect();
        names.extend(OWN_PSEUDOS);
        names.extend(isa_spec::alias::ALIASES.iter().map(|a| a.name));
        let macros: Vec<String> = self.units[self.cur_unit].macros.keys().cloned().collect();
        names.extend(macros.iter().map(|s| s.as_str()));
        let best = names
            .iter()
            .map(|k| (edit_distance(&m, k), *k))
            .min()
            .filter(|(d, _)| *d <= 2)
            .map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        let colon = if rest.is_empty() {
            format!("; a label needs a colon: `{name}:`")
        } else {
            String::new()
        };
        Err((hspan, format!("unknown instruction `{name}`{best}{colon}")))
    }

    /// An alias: its table entry's instruction with the written operands filled in.
    fn alias_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        a: &isa_spec::alias::Alias,
        ops: &[&[Token]],
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        use isa_spec::alias::Arg;
        let mut insn = a.template();
        let mut imm = None;
        for (i, arg) in a.args.iter().enumerate() {
            match arg {
                Arg::Rd => insn.rd = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Rs1 => insn.rs1 = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Rs2 => insn.rs2 = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Target => {
                    let e = self.imm_operand(ctx, ops[i], op_end(i))?;
                    imm = Some((e, span_of(ops[i], op_end(i)), true));
                }
            }
        }
        self.emit_insn(ctx, insn, imm, hspan)
    }

    /// `lw rd, sym` = `lui rd, %hi(sym)` + `lw rd, %lo(sym)(rd)`; `sw rs, sym, rt` =
    /// `lui rt, %hi(sym)` + `sw rs, %lo(sym)(rt)` (likewise for every load and store).
    fn symbol_access(
        &mut self,
        ctx: &Rc<LineCtx>,
        op: Opcode,
        ops: &[&[Token]],
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let load = op.info().kind == Kind::Load;
        let r = self.reg(ctx, ops[0], op_end(0))?;
        // A load forms the address in its destination; a store needs a register named.
        let t = if load { 0 } else { 2 };
        let tmp = if load {
            r
        } else {
            self.reg(ctx, ops[2], op_end(2))?
        };
        if tmp == 0 {
            return Err((
                span_of(ops[t], op_end(t)),
                format!(
                    "`{} {}` forms the address in {}: it cannot be `zero`",
                    op.mnemonic(),
                    if load { "rd, symbol" } else { "rs, symbol, rt" },
                    if load { "rd" } else { "rt" }
                ),
            ));
        }
        let e = self.imm_operand(ctx, ops[1], op_end(1))?;
        let sp = span_of(ops[1], op_end(1));
        let hi = Expr::Un(Un::Hi, Box::new(e.clone()));
        let lo = Expr::Un(Un::Lo, Box::new(e));
        let mut lui = Insn::new(Opcode::Lui);
        lui.rd = tmp;
        self.emit_insn(ctx, lui, Some((hi, sp, false)), hspan)?;
        let mut insn = Insn::new(op);
        if load {
            insn.rd = r;
        } else {
            insn.rs2 = r;
        }
        insn.rs1 = tmp;
        self.emit_insn(ctx, insn, Some((lo, sp, false)), hspan)
    }

    fn real_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        op: Opcode,
        ops: &[&[Token]],
        _end: usize,
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let mut insn = Insn::new(op);
        let mut imm: Option<(Expr, Span, bool)> = None;
        let expr_at = |s: &Self, i: usize, pcrel: bool| -> Result<(Expr, Span, bool), PErr> {
            let e = s.imm_operand(ctx, ops[i], op_end(i))?;
            Ok((e, span_of(ops[i], op_end(i)), pcrel))
        };
        match op.info().format {
            Format::R => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
                insn.rs2 = self.reg(ctx, ops[2], op_end(2))?;
            }
            Format::I | Format::Iu | Format::Sh => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
                imm = Some(expr_at(self, 2, false)?);
            }
            Format::U => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                imm = Some(expr_at(self, 1, false)?);
            }
            Format::Load | Format::Store => {
                let r = self.reg(ctx, ops[0], op_end(0))?;
                if op.info().format == Format::Load {
                    insn.rd = r;
                } else {
                    insn.rs2 = r;
                }
                let (off, base, sp) = self.mem(ctx, ops[1], op_end(1))?;
                insn.rs1 = base;
                imm = off.map(|e| (e, sp, false));
            }
            Format::B => {
                insn.rs1 = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs2 = self.reg(ctx, ops[1], op_end(1))?;
                imm = Some(expr_at(self, 2, true)?);
            }
            Format::J => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                imm = Some(expr_at(self, 1, true)?);
            }
            Format::Cas => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs2 = self.reg(ctx, ops[1], op_end(1))?;
                let (off, base, sp) = self.mem(ctx, ops[2], op_end(2))?;
                if off.is_some() {
                    return Err((sp, "`cas` takes no offset: write `(rs1)`".into()));
                }
                insn.rs1 = base;
            }
            Format::Gate | Format::Vec => imm = Some(expr_at(self, 0, false)?),
            Format::R1 => insn.rs1 = self.reg(ctx, ops[0], op_end(0))?,
            Format::Mfcr => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.imm = self.cr(ctx, ops[1], op_end(1))? as i32;
            }
            Format::Mtcr => {
                insn.imm = self.cr(ctx, ops[0], op_end(0))? as i32;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
            }
            Format::N => {}
        }
        self.emit_insn(ctx, insn, imm, hspan)
    }

    /// Emits one instruction whose immediate may be an expression (pc-relative for branches).
    fn emit_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        mut insn: Insn,
        imm: Option<(Expr, Span, bool)>,
        hspan: Span,
    ) -> Result<(), PErr> {
        let pc = self.dot();
        let mut fix = None;
        if let Some((e, span, pcrel)) = imm {
            match self.eval1(&e) {
                Ok(v) => {
                    let x = if pcrel {
                        match (v.sec, pc.sec) {
                            (Some(a), Some(b)) if a == b => Some(v.v.wrapping_sub(pc.v)),
                            _ => None,
                        }
                    } else {
                        v.sec.is_none().then_some(v.v)
                    };
                    match x {
                        Some(x) => insn.imm = x as i32,
                        None => fix = Some((e, span, pcrel)),
                    }
                }
                Err(EvalErr::Unknown) => fix = Some((e, span, pcrel)),
                Err(EvalErr::Error(s, m)) => {
                    self.emit(ctx, hspan, &[0; 4]);
                    return Err((s, m));
                }
                Err(EvalErr::Reported) => {
                    self.emit(ctx, hspan, &[0; 4]);
                    return Ok(());
                }
            }
            if fix.is_none() {
                match encode(&insn) {
                    Ok(w) => {
                        if let Some(off) = self.emit(ctx, hspan, &w.to_le_bytes()) {
                            self.note_line(ctx, off);
                        }
                        return Ok(());
                    }
                    Err(err) => {
                        self.emit(ctx, hspan, &[0; 4]);
                        return Err((span, encode_message(insn.op, &err, pcrel)));
                    }
                }
            }
        }
        let Some((e, span, pcrel)) = fix else {
            let w = encode(&insn).map_err(|err| (hspan, encode_message(insn.op, &err, false)))?;
            if let Some(off) = self.emit(ctx, hspan, &w.to_le_bytes()) {
                self.note_line(ctx, off);
            }
            return Ok(());
        };
        let dot = (self.cur_sec, self.cur_off());
        if let Some(off) = self.emit(ctx, hspan, &[0; 4]) {
            self.note_line(ctx, off);
            self.fixups.push(Fixup {
                sec: self.cur_sec,
                off,
                unit: self.cur_unit,
                dot,
                expr: e,
                kind: FixKind::Insn(insn, pcrel),
                ctx: ctx.clone(),
                span,
                seq: self.seq,
            });
        }
        Ok(())
    }

    fn pseudo(
        &mut self,
        ctx: &Rc<LineCtx>,
        m: &str,
        ops: &[&[Token]],
        _end: usize,
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let alias = isa_spec::alias::ALIASES.iter().find(|a| a.name == m);
        let (n, syn) = match m {
            "li" => (2, "rd, value".to_string()),
            "la" => (2, "rd, symbol".to_string()),
            "not" => (2, "rd, rs".to_string()),
            "bgt" | "ble" | "bgtu" | "bleu" => (3, "rs, rt, target".to_string()),
            "subi" => (3, "rd, rs, imm".to_string()),
            _ => alias.map_or((0, String::new()), |a| (a.args.len(), a.syntax())),
        };
        if ops.len() != n {
            return Err((
                hspan,
                format!(
                    "`{m}` expects {n} operand{} ({syn}), found {}",
                    if n == 1 { "" } else { "s" },
                    ops.len()
                ),
            ));
        }
        let i3 = |op: Opcode, rd: u8, rs1: u8, rs2: u8, imm: i32| Insn {
            op,
            rd,
            rs1,
            rs2,
            imm,
        };
        let reg = |s: &Self, i: usize| s.reg(ctx, ops[i], op_end(i));
        let target = |s: &Self, i: usize| -> Result<(Expr, Span, bool), PErr> {
            let e = s.imm_operand(ctx, ops[i], op_end(i))?;
            Ok((e, span_of(ops[i], op_end(i)), true))
        };
        use Opcode::*;
        match m {
            "not" => {
                let (rd, rs) = (reg(self, 0)?, reg(self, 1)?);
                self.emit_insn(ctx, i3(Sub, rd, 0, rs, 0), None, hspan)?;
                self.emit_insn(ctx, i3(Addi, rd, rd, 0, -1), None, hspan)
            }
            "subi" => {
                let (rd, rs) = (reg(self, 0)?, reg(self, 1)?);
                let e = self.imm_operand(ctx, ops[2], op_end(2))?;
                let neg = Expr::Un(Un::Neg, Box::new(e));
                self.emit_insn(
                    ctx,
                    i3(Addi, rd, rs, 0, 0),
                    Some((neg, span_of(ops[2], op_end(2)), false)),
                    hspan,
                )
            }
            "bgt" | "ble" | "bgtu" | "bleu" => {
                let (rs, rt) = (reg(self, 0)?, reg(self, 1)?);
                let t = target(self, 2)?;
                let op = match m {
                    "bgt" => Blt,
                    "ble" => Bge,
                    "bgtu" => Bltu,
                    _ => Bgeu,
                };
                self.emit_insn(ctx, i3(op, 0, rt, rs, 0), Some(t), hspan)
            }
            "li" | "la" => {
                let rd = reg(self, 0)?;
                let e = self.imm_operand(ctx, ops[1], op_end(1))?;
                let sp = span_of(ops[1], op_end(1));
                let known = if m == "li" {
                    match self.eval1(&e) {
                        Ok(Val { sec: None, v }) => Some(v),
                        Ok(_) | Err(EvalErr::Unknown) => None,
                        Err(EvalErr::Error(s, msg)) => {
                            self.emit(ctx, hspan, &[0; 8]);
                            return Err((s, msg));
                        }
                        Err(EvalErr::Reported) => return Ok(()),
                    }
                } else {
                    None
                };
                if let Some(v) = known {
                    if let Some(insn) = li_single(rd, v) {
                        return self.emit_insn(ctx, insn, None, hspan);
                    }
                }
                let hi = Expr::Un(Un::Upper, Box::new(e.clone()));
                let lo = Expr::Un(Un::Lower, Box::new(e));
                self.emit_insn(ctx, i3(Lui, rd, 0, 0, 0), Some((hi, sp, false)), hspan)?;
                self.emit_insn(ctx, i3(Ori, rd, rd, 0, 0), Some((lo, sp, false)), hspan)
            }
            _ => Err((hspan, format!("unknown instruction `{m}`"))),
        }
    }

    // ---------------------------------------------------------------- final pass

    fn resolve_final(
        &mut self,
        unit: usize,
        name: &str,
        span: Span,
        depth: u32,
        cost: u32,
    ) -> Result<u32, EvalErr> {
        // Labels and plain values (nearly every symbol): one lookup.
        let here = self.units[unit].syms.get(name);
        match here.filter(|e| !e.weak).and_then(|e| e.def.as_ref()) {
            Some(Def::Label(s, o)) => return Ok(self.sections[*s as usize].addr.wrapping_add(*o)),
            Some(Def::Value(v)) => return Ok(self.val_abs(*v)),
            _ => {}
        }
        let (defined, weak) = here.map_or((false, false), |e| (e.def.is_some(), e.weak));
        let owner = if defined && !weak {
            unit
        } else {
            // A weak definition gives way to another file's non-weak global.
            match self.global_owner(name) {
                Some(u) if !(defined && self.units[u].syms[name].weak) => u,
                _ if defined => unit,
                // An undefined weak symbol is 0 (as a linker makes it).
                _ if weak => return Ok(0),
                _ => {
                    let what = display_name(name);
                    let hint = if name.contains('\u{1}') {
                        " (no matching numeric label in that direction)".to_string()
                    } else if self
                        .units
                        .iter()
                        .any(|u| u.syms.get(name).is_some_and(|e| e.def.is_some()))
                    {
                        " in this file (it is defined in another file: mark it `.global` there)"
                            .to_string()
                    } else {
                        String::new()
                    };
                    return Err(EvalErr::Error(
                        span,
                        format!("undefined symbol `{what}`{hint}"),
                    ));
                }
            }
        };
        let entry = self.units[owner].syms.get_mut(name).expect("defined");
        match entry.def.clone().expect("defined") {
            Def::Label(s, o) => Ok(self.sections[s as usize].addr.wrapping_add(o)),
            Def::Value(v) => Ok(self.val_abs(v)),
            Def::Deferred(d) => {
                let (e, ctx, dot, seq) = *d;
                if let Some(c) = entry.cache {
                    return c.map_err(|_| EvalErr::Reported);
                }
                if entry.resolving || depth > MAX_EQU_DEPTH {
                    return Err(EvalErr::Error(
                        span,
                        format!("`{name}` is defined in terms of itself"),
                    ));
                }
                // Evaluation recurses through each expression and each symbol it names: bound
                // the operators on the whole path, not only the symbols.
                let cost = cost + 1 + e.ops();
                if cost > MAX_EVAL_COST {
                    return Err(EvalErr::Error(
                        span,
                        format!(
                            "`{name}` is defined through more than {MAX_EVAL_COST} operators \
                             in a chain of symbols; compute it in fewer steps"
                        ),
                    ));
                }
                entry.resolving = true;
                let dotv = self.sections[dot.0 as usize].addr.wrapping_add(dot.1);
                let mut env = FinalEnv {
                    asm: self,
                    unit: owner,
                    dot: dotv,
                    depth: depth + 1,
                    cost,
                };
                let r = eval(&e, &mut env);
                let r = match r {
                    Ok(v) => Ok(v.v),
                    Err(EvalErr::Error(s, m)) => {
                        self.error_seq(seq, &ctx, s, m);
                        Err(())
                    }
                    Err(_) => Err(()),
                };
                let entry = self.units[owner].syms.get_mut(name).expect("defined");
                entry.resolving = false;
                entry.cache = Some(r);
                r.map_err(|_| EvalErr::Reported)
            }
        }
    }

    fn val_abs(&self, v: Val) -> u32 {
        match v.sec {
            Some(s) => self.sections[s as usize].addr.wrapping_add(v.v),
            None => v.v,
        }
    }

    /// The file whose global `name` other files see: a non-weak definition, else a weak one.
    fn global_owner(&self, name: &str) -> Option<usize> {
        let def = |weak: bool| {
            self.units.iter().position(|u| {
                u.syms
                    .get(name)
                    .is_some_and(|e| e.global && e.def.is_some() && e.weak == weak)
            })
        };
        def(false).or_else(|| def(true))
    }

    fn eval_final(&mut self, unit: usize, dot: (SecId, u32), e: &Expr) -> Result<u32, EvalErr> {
        let dotv = self.sections[dot.0 as usize].addr.wrapping_add(dot.1);
        let mut env = FinalEnv {
            asm: self,
            unit,
            dot: dotv,
            depth: 0,
            cost: e.ops(),
        };
        eval(e, &mut env).map(|v| v.v)
    }

    pub(crate) fn finish(mut self) -> Result<Program, Diagnostics> {
        // Duplicate globals.
        let mut seen: HashMap<String, (usize, Rc<LineCtx>, Span)> = HashMap::new();
        for ui in 0..self.units.len() {
            let mut defs: Vec<(&String, &SymEntry)> = self.units[ui]
                .syms
                .iter()
                .filter(|(_, e)| e.global && !e.weak && e.def.is_some())
                .collect();
            defs.sort_by_key(|(_, e)| e.order);
            let defs: Vec<(String, Rc<LineCtx>, Span)> = defs
                .into_iter()
                .filter_map(|(n, e)| e.def_loc.clone().map(|(c, s)| (n.clone(), c, s)))
                .collect();
            for (name, c, s) in defs {
                if let Some((_, pc, ps)) = seen.get(&name) {
                    let msg = format!(
                        "global symbol `{name}` is defined twice: here and at {}; rename one or drop its `.global`",
                        self.loc_string(pc, *ps)
                    );
                    let seq = self.seq;
                    self.error_seq(seq, &c, s, msg);
                } else {
                    seen.insert(name, (ui, c, s));
                }
            }
        }
        // Layout.
        let mut order: Vec<usize> = Vec::new();
        for std in [".text", ".rodata", ".data", ".bss"] {
            if let Some(&id) = self.sec_by_name.get(std) {
                order.push(id as usize);
            }
        }
        for i in 0..self.sections.len() {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        let mut cursor = self.opts_base as u64;
        let mut first = true;
        for &i in &order {
            let s = &mut self.sections[i];
            if s.size == 0 && !s.has_syms {
                continue;
            }
            if !first {
                cursor = cursor.div_ceil(PAGE) * PAGE;
            }
            first = false;
            s.addr = cursor as u32;
            cursor += s.size as u64;
            if cursor > 1u64 << 32 {
                let name = s.name.clone();
                self.file_error(
                    "<layout>",
                    format!(
                        "section `{name}` would end at {cursor:#x}, past the 4 GiB address space; lower the base address or shrink the program"
                    ),
                );
                break;
            }
        }
        // Fixups.
        let fixups = std::mem::take(&mut self.fixups);
        for f in &fixups {
            let v = match self.eval_final(f.unit, f.dot, &f.expr) {
                Ok(v) => v,
                Err(EvalErr::Error(s, m)) => {
                    self.error_seq(f.seq, &f.ctx, s, m);
                    continue;
                }
                Err(_) => continue,
            };
            let bytes = match &f.kind {
                FixKind::Data(size) => match encode_data(v, *size) {
                    Ok(b) => b,
                    Err(m) => {
                        self.error_seq(f.seq, &f.ctx, f.span, m);
                        continue;
                    }
                },
                FixKind::Insn(insn, pcrel) => {
                    let mut insn = *insn;
                    let pc = self.sections[f.sec as usize].addr.wrapping_add(f.off);
                    insn.imm = if *pcrel { v.wrapping_sub(pc) } else { v } as i32;
                    match encode(&insn) {
                        Ok(w) => w.to_le_bytes().to_vec(),
                        Err(err) => {
                            let msg = encode_message(insn.op, &err, *pcrel);
                            self.error_seq(f.seq, &f.ctx, f.span, msg);
                            continue;
                        }
                    }
                }
            };
            let data = &mut self.sections[f.sec as usize].data;
            let o = f.off as usize;
            data[o..o + bytes.len()].copy_from_slice(&bytes);
        }
        drop(fixups);
        // Symbols.
        let mut locals = Vec::new();
        let mut globals = Vec::new();
        for ui in 0..self.units.len() {
            let mut names: Vec<(u32, String)> = self.units[ui]
                .syms
                .iter()
                .filter(|(n, e)| e.def.is_some() && !n.starts_with(".L") && !n.contains('\u{1}'))
                .map(|(n, e)| (e.order, n.clone()))
                .collect();
            names.sort();
            for (_, name) in names {
                let e = &self.units[ui].syms[&name];
                if e.weak && self.global_owner(&name) != Some(ui) {
                    // Replaced by another file's definition (or an earlier weak one).
                    continue;
                }
                let Ok(value) = self.resolve_final(ui, &name, (0, 0), 0, 0) else {
                    continue;
                };
                let e = &self.units[ui].syms[&name];
                let section = match e.def {
                    Some(Def::Label(s, _)) => Some(self.sections[s as usize].name.clone()),
                    Some(Def::Value(Val { sec: Some(s), .. })) => {
                        Some(self.sections[s as usize].name.clone())
                    }
                    _ => None,
                };
                let (kind, global, weak) = (e.kind, e.global, e.weak);
                let size = e.size.clone().map(|b| *b);
                let size = match size {
                    Some((expr, ctx, dot, seq)) => match self.eval_final(ui, dot, &expr) {
                        Ok(v) => v,
                        Err(EvalErr::Error(s, m)) => {
                            self.error_seq(seq, &ctx, s, m);
                            0
                        }
                        Err(_) => 0,
                    },
                    None => 0,
                };
                let sym = Symbol {
                    name,
                    value,
                    size,
                    global,
                    weak,
                    kind,
                    section,
                };
                if global {
                    globals.push(sym);
                } else {
                    locals.push(sym);
                }
            }
        }
        // `.size` of symbols never defined.
        for ui in 0..self.units.len() {
            let bad: Vec<(Rc<LineCtx>, u64)> = self.units[ui]
                .syms
                .values()
                .filter(|e| e.def.is_none())
                .filter_map(|e| e.size.as_ref().map(|s| (s.1.clone(), s.3)))
                .collect();
            for (ctx, seq) in bad {
                self.error_seq(
                    seq,
                    &ctx,
                    (0, ctx.text.len()),
                    "`.size` names a symbol that is never defined".into(),
                );
            }
        }
        // The symbol tables (and the lines their definitions keep) are done with: free them
        // before the program's own tables are built.
        self.units = Vec::new();
        let entry_name = self.entry_name.clone();
        let entry = globals
            .iter()
            .chain(locals.iter())
            .find(|s| s.name == entry_name)
            .map(|s| s.value)
            .unwrap_or_else(|| {
                let text = &self.sections[0];
                if text.size > 0 || text.has_syms {
                    text.addr
                } else {
                    self.opts_base
                }
            });
        let mut d = std::mem::take(&mut self.diags);
        d.sort_by_key(|(seq, col, _)| (*seq, *col));
        // One source mistake can fail several expansions (e.g. both halves of `la`).
        d.dedup_by(|a, b| a.2 == b.2);
        // (Diagnostics past the limit are not kept: count them as errors.)
        if self.suppressed > 0 || d.iter().any(|x| x.2.severity == Severity::Error) {
            if self.suppressed > 0 {
                d.push((
                    u64::MAX,
                    0,
                    Diagnostic::file_error(
                        "<input>",
                        format!(
                            "too many errors: {} more not shown (fix the ones above first)",
                            self.suppressed
                        ),
                    ),
                ));
            }
            return Err(Diagnostics {
                errors: d.into_iter().map(|(_, _, d)| d).collect(),
            });
        }
        let mut segments = Vec::new();
        for &i in &order {
            let s = &mut self.sections[i];
            if s.size == 0 {
                continue;
            }
            segments.push(Segment {
                name: s.name.clone(),
                addr: s.addr,
                data: std::mem::take(&mut s.data),
                size: s.size,
                flags: s.flags,
                nobits: s.nobits,
                align: s.align,
            });
            let seg = segments.last_mut().expect("just pushed");
            seg.align = rf_object::addralign(seg);
        }
        let seg_of = |name: &str| segments.iter().find(|s| s.name == name);
        let mut lines: Vec<LineInfo> = self
            .lines
            .iter()
            .map(|&(s, off, file, line)| LineInfo {
                addr: self.sections[s as usize].addr.wrapping_add(off),
                file: self.files[file as usize].0.clone(),
                line,
            })
            .collect();
        lines.sort_by_key(|l| l.addr);
        lines.dedup_by_key(|l| l.addr);
        // A line's chunks are in order but may be interleaved with those of the lines of a file
        // it included (inside a macro): group them by line, keeping their order.
        self.chunks.sort_by_key(|c| c.0);
        let mut by_line = self.chunks.chunk_by(|a, b| a.0 == b.0).peekable();
        let listing = self
            .listing
            .iter()
            .enumerate()
            .map(|(i, l)| ListingLine {
                file: self.files[l.file as usize].0.clone(),
                line: l.line,
                text: l.text.to_string(),
                chunks: by_line
                    .next_if(|c| c[0].0 == i)
                    .unwrap_or_default()
                    .iter()
                    .map(|&(_, s, off, len)| {
                        let sec = &self.sections[s as usize];
                        let bytes = match seg_of(&sec.name) {
                            Some(seg) if !seg.nobits => {
                                let a = off as usize;
                                let b = (off as usize + len as usize).min(a + LISTING_BYTES);
                                seg.data[a..b].to_vec()
                            }
                            _ => Vec::new(),
                        };
                        ListingChunk {
                            addr: sec.addr.wrapping_add(off),
                            len,
                            bytes,
                        }
                    })
                    .collect(),
            })
            .collect();
        locals.extend(globals);
        Ok(Program {
            segments,
            entry,
            symbols: locals,
            lines,
            listing,
            warnings: d.into_iter().map(|(_, _, d)| d).collect(),
        })
    }
}

/// The one-instruction form of `li rd, v`, if there is one (the table's, which the
/// disassembler prints `li` from).
pub(crate) fn li_single(rd: u8, v: u32) -> Option<Insn> {
    isa_spec::alias::li_single(rd, v)
}

fn byte_value(v: u32) -> Option<u8> {
    (v <= 0xff || v >= 0xffff_ff80).then_some(v as u8)
}

fn encode_data(v: u32, size: u8) -> Result<Vec<u8>, String> {
    match size {
        1 => byte_value(v).map(|b| vec![b]).ok_or_else(|| {
            format!("value {v:#x} does not fit in a byte (-128..255); use .half or .word")
        }),
        2 => {
            if v <= 0xffff || v >= 0xffff_8000 {
                Ok((v as u16).to_le_bytes().to_vec())
            } else {
                Err(format!(
                    "value {v:#x} does not fit in a half-word (-32768..65535); use .word"
                ))
            }
        }
        // Values are 32-bit: a quad is the value zero-extended.
        8 => Ok((v as u64).to_le_bytes().to_vec()),
        _ => Ok(v.to_le_bytes().to_vec()),
    }
}

fn encode_message(op: Opcode, err: &EncodeError, pcrel: bool) -> String {
    let m = op.mnemonic();
    match err {
        EncodeError::ImmOutOfRange { value, min, max } if pcrel => format!(
            "target is out of range for `{m}`: it is {value} bytes away, the reach is {min}..{max} bytes"
        ),
        EncodeError::ImmOutOfRange { value, min, max } => format!(
            "immediate {value} ({:#x}) is out of range for `{m}`: expected {min}..{max}{}",
            *value as u32,
            if *min == 0 && *max == 65535 {
                " (an unsigned 16-bit value)"
            } else if *min == -32768 {
                " (a signed 16-bit value; use `li` for larger constants)"
            } else {
                ""
            }
        ),
        EncodeError::MisalignedOffset(o) => format!(
            "target of `{m}` is not 4-byte aligned (it is {o} bytes from this instruction)"
        ),
        EncodeError::BadRegister(r) => format!("register r{r} does not exist (r0..r31)"),
    }
}

/// Whether a statement is a conditional directive (its first word, textually: skipped lines
/// are not lexed, as GNU as does not).
fn is_cond_directive(stmt: &str) -> bool {
    let w = stmt.trim_start();
    let n = w.bytes().take_while(|&c| lex::is_ident_char(c)).count();
    COND_DIRECTIVES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&w[..n]))
}

fn span_of(op: &[Token], end: usize) -> Span {
    match (op.first(), op.last()) {
        (Some(a), Some(b)) => (a.start, b.end),
        _ => (end, end),
    }
}

fn single_ident(op: &[Token], what: &str, end: usize) -> Result<(String, Span), PErr> {
    match op {
        [t] if t.ident().is_some() => {
            Ok((t.ident().unwrap_or_default().to_string(), (t.start, t.end)))
        }
        _ => Err((span_of(op, end), format!("expected {what}"))),
    }
}

/// Splits tokens into comma-separated operands (commas inside parentheses do not split).
fn split_operands(toks: &[Token], end: usize) -> Result<Vec<&[Token]>, PErr> {
    if toks.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_p("(") {
            depth += 1;
        } else if t.is_p(")") {
            depth -= 1;
        } else if t.is_p(",") && depth <= 0 {
            if i == start {
                return Err(((t.start, t.end), "empty operand before `,`".into()));
            }
            out.push(&toks[start..i]);
            start = i + 1;
        }
    }
    if start == toks.len() {
        return Err(((end, end), "expected an operand after the last `,`".into()));
    }
    out.push(&toks[start..]);
    Ok(out)
}

/// Splits macro call arguments on top-level commas; returns (offset, text) pairs.
fn split_args(text: &str) -> Vec<(usize, String)> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'(' if !in_str => depth += 1,
            b')' if !in_str => depth -= 1,
            b',' if !in_str && depth <= 0 => {
                out.push((start, text[start..i].to_string()));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, text[start.min(text.len())..].to_string()));
    out.into_iter()
        .map(|(o, s)| {
            let lead = s.len() - s.trim_start().len();
            (o + lead, s.trim().to_string())
        })
        .collect()
}

/// Parses `.macro NAME [p1[=def], p2 ...]` from the text after `.macro`.
fn parse_macro_header(text: &str, s: usize, e: usize) -> Result<(String, Params), PErr> {
    let body = &text[s..e];
    let trimmed = body.trim_start();
    let name_start = s + (body.len() - trimmed.len());
    let name_len = trimmed
        .bytes()
        .take_while(|&c| lex::is_ident_char(c))
        .count();
    if name_len == 0 || !lex::is_ident_start(trimmed.as_bytes()[0]) {
        return Err((
            (name_start, name_start + 1),
            "`.macro` expects a macro name".into(),
        ));
    }
    let name = trimmed[..name_len].to_string();
    let mut rest = &trimmed[name_len..];
    let mut rest_start = name_start + name_len;
    if let Some(r) = rest.trim_start().strip_prefix(',') {
        rest_start += rest.len() - r.len();
        rest = r;
    }
    let pieces: Vec<(usize, String)> = if rest.contains(',') {
        split_args(rest)
    } else {
        let mut v = Vec::new();
        let mut off = 0;
        for w in rest.split_whitespace() {
            let at = rest[off..].find(w).map(|p| p + off).unwrap_or(off);
            v.push((at, w.to_string()));
            off = at + w.len();
        }
        v
    };
    let mut params: Vec<(String, Option<String>)> = Vec::new();
    for (off, p) in pieces {
        let sp = (rest_start + off, rest_start + off + p.len().max(1));
        let (pname, default) = match p.split_once('=') {
            Some((n, d)) => (n.trim().to_string(), Some(d.trim().to_string())),
            None => (p.trim_end_matches(":req").trim().to_string(), None),
        };
        if pname.is_empty()
            || !pname
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        {
            return Err((sp, format!("invalid macro parameter `{p}`")));
        }
        if params.iter().any(|(n, _)| *n == pname) {
            return Err((sp, format!("duplicate macro parameter `{pname}`")));
        }
        params.push((pname, default));
    }
    Ok((name, params))
}

/// Replaces `\param`, `\@` and `\()` in a macro body line. Also returns the first `\name`
/// outside a string literal that names no parameter (inside strings it is an escape).
fn substitute(line: &str, bound: &[(String, String)], counter: u32) -> (String, Option<String>) {
    let mut out = String::with_capacity(line.len());
    let b = line.as_bytes();
    let mut i = 0;
    let mut last = 0;
    let mut in_str = false;
    let mut unknown = None;
    while i < b.len() {
        if b[i] == b'"' {
            in_str = !in_str;
        }
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&line[last..i]);
        let r = &line[i + 1..];
        if r.starts_with('@') {
            out.push_str(&counter.to_string());
            i += 2;
        } else if r.starts_with("()") {
            i += 3;
        } else {
            let n = r
                .bytes()
                .take_while(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
                .count();
            match bound.iter().find(|(p, _)| *p == r[..n]) {
                Some((_, v)) if n > 0 => {
                    out.push_str(v);
                    i += 1 + n;
                }
                _ => {
                    if n > 0 && !in_str && unknown.is_none() {
                        unknown = Some(r[..n].to_string());
                    }
                    // Keep the backslash and the character after it (an escape like \" must
                    // not end a string).
                    let next = r.chars().next().map_or(0, |c| c.len_utf8());
                    out.push_str(&line[i..i + 1 + next]);
                    i += 1 + next;
                }
            }
        }
        last = i;
    }
    out.push_str(&line[last.min(line.len())..]);
    (out, unknown)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint list and the directives handled agree.
    #[test]
    fn every_listed_directive_is_handled() {
        for d in DIRECTIVES.iter().chain(COND_DIRECTIVES.iter()) {
            let src = crate::Source::new("t.s", format!("{d}\n"));
            if let Err(e) = crate::assemble(&[src], &crate::Options::default()) {
                assert!(!e.to_string().contains("unknown directive"), "{d}: {e}");
            }
        }
    }
}

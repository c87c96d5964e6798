//! Other files: `.include` (read as source) and `.incbin` (copied as bytes), found relative to
//! the including file, then in the include directories.

use super::*;

impl Assembler {
    /// Where `.include`/`.incbin` find `fname`: relative to the including file's folder, then
    /// in each `-I` directory.
    pub(super) fn find_file(
        &self,
        ctx: &LineCtx,
        fname: &str,
        what: &str,
    ) -> Result<PathBuf, String> {
        let mut candidates = Vec::new();
        let p = Path::new(fname);
        if p.is_absolute() {
            candidates.push(p.to_path_buf());
        } else {
            if let Some(dir) = self.files[ctx.file as usize]
                .path
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
    pub(super) fn incbin(
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

    /// Reads file `fname` (found by [`Assembler::find_file`]) as source in place of the
    /// `.include` line. Errors are reported, not returned: nesting too deep, file not found or
    /// unreadable or not UTF-8.
    pub(super) fn include(&mut self, ctx: &Rc<LineCtx>, fname: &str, span: Span) {
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
}

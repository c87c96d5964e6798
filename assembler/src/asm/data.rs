//! Data values: `.byte`/`.half`/`.word`/... operands, encoded now or left as fixups.

use super::*;

impl Assembler {
    pub(super) fn data_value(
        &mut self,
        ctx: &Rc<LineCtx>,
        e: Expr,
        span: Span,
        size: u8,
    ) -> Result<(), PErr> {
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
}

pub(super) fn byte_value(v: u32) -> Option<u8> {
    (v <= 0xff || v >= 0xffff_ff80).then_some(v as u8)
}

pub(super) fn encode_data(v: u32, size: u8) -> Result<Vec<u8>, String> {
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

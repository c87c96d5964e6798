//! The instruction summary table of SPEC.md, generated from the op list.

use crate::{Format, Kind, OPS};

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Alu => "alu",
        Kind::Mul => "mul",
        Kind::Div => "div",
        Kind::Load => "load",
        Kind::Store => "store",
        Kind::Branch => "branch",
        Kind::Jump => "jump",
        Kind::Atomic => "atomic",
        Kind::Gate => "gate",
        Kind::Trap => "trap",
        Kind::System => "system",
    }
}

/// The Markdown table that SPEC.md carries between its `<!-- BEGIN/END INSTRUCTION TABLE -->`
/// markers: one row per instruction.
pub fn summary_table_markdown() -> String {
    let mut s = String::from(
        "| mnemonic | operands | format | major | funct | cycles | rings | class | semantics |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for o in OPS {
        let funct = if o.format == Format::R {
            o.funct.to_string()
        } else {
            "-".into()
        };
        s += &format!(
            "| `{}` | `{}` | {:?} | 0x{:02x} | {} | {} | {} | {} | {} |\n",
            o.mnemonic,
            o.format.syntax(),
            o.format,
            o.major,
            funct,
            o.cycles,
            if o.privileged { "0" } else { "0-3" },
            kind_name(o.kind),
            o.summary.replace('|', "\\|"),
        );
    }
    s
}

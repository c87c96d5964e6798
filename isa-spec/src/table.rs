//! THE instruction table. Every other view of RF32 — the `Opcode` enum, the encoder, the
//! decoder, the disassembler, the assembler's mnemonic lookup, the emulator's cost and privilege
//! checks and the summary table in `SPEC.md` — is generated from this one list.
//!
//! Columns: enum variant, mnemonic, format, major opcode (bits 31:26), function code (bits 10:0,
//! only meaningful for format `R`), base cycle cost, ring-0 only?, kind, memory access width
//! ([`Mem`](crate::Mem), `-`: none), branch condition ([`Cond`](crate::Cond), `-`: not a
//! conditional branch), one-line semantics. What each instruction *does* is written once in the
//! emulator (`emulator::exec`), one function per row: a row without one does not compile.

/// Invokes `$m!` with the full op list. Add an instruction here and everything follows.
#[macro_export]
macro_rules! for_each_op {
    ($m:ident) => {
        $m! {
            // ---- register-register ALU (major 0x01, funct selects) ----
            Add    "add"    R      0x01  0  1 false Alu    -   -   "rd = rs1 + rs2";
            Sub    "sub"    R      0x01  1  1 false Alu    -   -   "rd = rs1 - rs2";
            And    "and"    R      0x01  2  1 false Alu    -   -   "rd = rs1 & rs2";
            Or     "or"     R      0x01  3  1 false Alu    -   -   "rd = rs1 | rs2";
            Xor    "xor"    R      0x01  4  1 false Alu    -   -   "rd = rs1 ^ rs2";
            Sll    "sll"    R      0x01  5  1 false Alu    -   -   "rd = rs1 << (rs2 & 31)";
            Srl    "srl"    R      0x01  6  1 false Alu    -   -   "rd = rs1 >>u (rs2 & 31)";
            Sra    "sra"    R      0x01  7  1 false Alu    -   -   "rd = rs1 >>s (rs2 & 31)";
            Slt    "slt"    R      0x01  8  1 false Alu    -   -   "rd = (rs1 <s rs2) ? 1 : 0";
            Sltu   "sltu"   R      0x01  9  1 false Alu    -   -   "rd = (rs1 <u rs2) ? 1 : 0";
            Mul    "mul"    R      0x01 10  3 false Mul    -   -   "rd = low32(rs1 * rs2)";
            Mulh   "mulh"   R      0x01 11  3 false Mul    -   -   "rd = high32(sext(rs1) * sext(rs2))";
            Mulhu  "mulhu"  R      0x01 12  3 false Mul    -   -   "rd = high32(zext(rs1) * zext(rs2))";
            Div    "div"    R      0x01 13 12 false Div    -   -   "rd = rs1 /s rs2 (toward zero); INT_MIN/-1 = INT_MIN; /0 faults";
            Divu   "divu"   R      0x01 14 12 false Div    -   -   "rd = rs1 /u rs2; /0 faults";
            Rem    "rem"    R      0x01 15 12 false Div    -   -   "rd = rs1 %s rs2 (sign of rs1); INT_MIN%-1 = 0; %0 faults";
            Remu   "remu"   R      0x01 16 12 false Div    -   -   "rd = rs1 %u rs2; %0 faults";
            // ---- register-immediate ALU ----
            Addi   "addi"   I      0x02  0  1 false Alu    -   -   "rd = rs1 + sext(imm16)";
            Slti   "slti"   I      0x03  0  1 false Alu    -   -   "rd = (rs1 <s sext(imm16)) ? 1 : 0";
            Sltiu  "sltiu"  I      0x04  0  1 false Alu    -   -   "rd = (rs1 <u sext(imm16)) ? 1 : 0";
            Andi   "andi"   Iu     0x05  0  1 false Alu    -   -   "rd = rs1 & zext(imm16)";
            Ori    "ori"    Iu     0x06  0  1 false Alu    -   -   "rd = rs1 | zext(imm16)";
            Xori   "xori"   Iu     0x07  0  1 false Alu    -   -   "rd = rs1 ^ zext(imm16)";
            Slli   "slli"   Sh     0x08  0  1 false Alu    -   -   "rd = rs1 << shamt";
            Srli   "srli"   Sh     0x09  0  1 false Alu    -   -   "rd = rs1 >>u shamt";
            Srai   "srai"   Sh     0x0A  0  1 false Alu    -   -   "rd = rs1 >>s shamt";
            Lui    "lui"    U      0x0B  0  1 false Alu    -   -   "rd = imm16 << 16";
            Auipc  "auipc"  U      0x0C  0  1 false Alu    -   -   "rd = pc + (imm16 << 16)";
            // ---- loads and stores ----
            Lb     "lb"     Load   0x10  0  1 false Load   S8  -   "rd = sext(mem8[rs1 + sext(imm16)])";
            Lh     "lh"     Load   0x11  0  1 false Load   S16 -   "rd = sext(mem16[rs1 + sext(imm16)])";
            Lw     "lw"     Load   0x12  0  1 false Load   W32 -   "rd = mem32[rs1 + sext(imm16)]";
            Lbu    "lbu"    Load   0x13  0  1 false Load   U8  -   "rd = zext(mem8[rs1 + sext(imm16)])";
            Lhu    "lhu"    Load   0x14  0  1 false Load   U16 -   "rd = zext(mem16[rs1 + sext(imm16)])";
            Sb     "sb"     Store  0x18  0  1 false Store  U8  -   "mem8[rs1 + sext(imm16)] = rs2";
            Sh     "sh"     Store  0x19  0  1 false Store  U16 -   "mem16[rs1 + sext(imm16)] = rs2";
            Sw     "sw"     Store  0x1A  0  1 false Store  W32 -   "mem32[rs1 + sext(imm16)] = rs2";
            // ---- control transfer ----
            Beq    "beq"    B      0x20  0  1 false Branch -   Eq  "if rs1 == rs2: pc = pc + sext(imm16) * 4";
            Bne    "bne"    B      0x21  0  1 false Branch -   Ne  "if rs1 != rs2: pc = pc + sext(imm16) * 4";
            Blt    "blt"    B      0x22  0  1 false Branch -   Lt  "if rs1 <s rs2: pc = pc + sext(imm16) * 4";
            Bge    "bge"    B      0x23  0  1 false Branch -   Ge  "if rs1 >=s rs2: pc = pc + sext(imm16) * 4";
            Bltu   "bltu"   B      0x24  0  1 false Branch -   Ltu "if rs1 <u rs2: pc = pc + sext(imm16) * 4";
            Bgeu   "bgeu"   B      0x25  0  1 false Branch -   Geu "if rs1 >=u rs2: pc = pc + sext(imm16) * 4";
            Jal    "jal"    J      0x28  0  1 false Jump   -   -   "rd = pc + 4; pc = pc + sext(imm21) * 4";
            Jalr   "jalr"   Load   0x29  0  1 false Jump   -   -   "t = (rs1 + sext(imm16)); rd = pc + 4; pc = t";
            // ---- memory ordering and atomics ----
            Cas    "cas"    Cas    0x30  0  4 false Atomic W32 -   "old = mem32[rs1]; if old == rd: mem32[rs1] = rs2; rd = old";
            Fence  "fence"  N      0x31  0  1 false System -   -   "order all earlier memory accesses before later ones";
            // ---- rings, gates, traps ----
            Callg  "callg"  Gate   0x38  0 12 false Gate   -   -   "call through gate descriptor imm16 (see Call gates)";
            Retg   "retg"   N      0x39  0 10 false Gate   -   -   "return from a gate call; never inward";
            Trap   "trap"   Vec    0x3A  0  1 false Trap   -   -   "raise vector imm (0..63) if CPL <= its DPL";
            Brk    "brk"    N      0x3B  0  1 false Trap   -   -   "raise the breakpoint exception (vector 8)";
            // ---- sensitive: ring 0 only ----
            Iret   "iret"   N      0x3C  0 10 true  System -   -   "pop the exception frame: pc, status, sp";
            Halt   "halt"   N      0x3D  0  1 true  System -   -   "stop the machine; exit code = a0";
            Wfi    "wfi"    N      0x3E  0  1 true  System -   -   "sleep until an interrupt is pending";
            Tlbflush "tlbflush" N  0x2C  0  8 true  System -   -   "invalidate every TLB entry";
            Tlbinval "tlbinval" R1 0x2D  0  2 true  System -   -   "invalidate the TLB entry for virtual page of rs1";
            Mfcr   "mfcr"   Mfcr   0x2E  0  2 true  System -   -   "rd = cr[imm]";
            Mtcr   "mtcr"   Mtcr   0x2F  0  2 true  System -   -   "cr[imm] = rs1";
        }
    };
}

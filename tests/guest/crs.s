# crs.s — control registers (§6, §5.16) from ring 0: reset values, read-back, the bits that
# exist, read-only cycle counter, iopl masking, and dropping to an outer ring with
# `mtcr status` (the next instruction already runs in the new ring).
        .include "check.inc"

main:
        # reset values: _start set vbase, gbase, glimit and sp0-sp2; the rest are still 0
        expect_cr status, 0, 1
        expect_cr vbase, vectors, 2
        expect_cr gbase, gates, 3
        expect_cr glimit, NGATES, 4
        expect_cr ptbase, 0, 5
        expect_cr sp0, SP0_TOP, 6
        expect_cr sp1, SP1_TOP, 7
        expect_cr sp2, SP2_TOP, 8
        expect_cr faddr, 0, 9
        expect_cr cause, 0, 10
        expect_cr iopl, 0, 11
        expect_cr cycleh, 0, 12
        expect_cr scratch3, 0, 13

        # plain registers hold all 32 bits
        li      t0, 0xDEADBEEF
        mtcr    scratch0, t0
        mtcr    scratch1, t0
        mtcr    scratch2, t0
        mtcr    scratch3, t0
        expect_cr scratch0, 0xDEADBEEF, 20
        expect_cr scratch1, 0xDEADBEEF, 21
        expect_cr scratch2, 0xDEADBEEF, 22
        expect_cr scratch3, 0xDEADBEEF, 23
        mtcr    cause, t0                       # cause and faddr are writable
        mtcr    faddr, t0
        expect_cr cause, 0xDEADBEEF, 24
        expect_cr faddr, 0xDEADBEEF, 25
        mfcr    t1, sp2
        mtcr    sp2, t0
        expect_cr sp2, 0xDEADBEEF, 26
        mtcr    sp2, t1
        li      t0, 0x00012345                  # ptbase keeps all bits (the walker ignores 11:0)
        mtcr    ptbase, t0
        expect_cr ptbase, 0x00012345, 27
        mtcr    ptbase, zero
        mfcr    t1, glimit
        li      t0, 0xFFFFFFFF
        mtcr    glimit, t0
        expect_cr glimit, 0xFFFFFFFF, 28
        mtcr    glimit, t1
        # the assembler's crN names are the same registers
        mfcr    t0, cr13
        expect  t0, 0xDEADBEEF, 29

        # status: only bits 3:0 exist
        li      t0, 0xFFFFFFF0
        mtcr    status, t0
        expect_cr status, 0, 30
        # iopl: only bits 1:0
        li      t0, 0xFFFFFFFE
        mtcr    iopl, t0
        expect_cr iopl, 2, 31
        mtcr    iopl, zero

        # cycle, cycleh: read-only, and the counter moves forward
        mfcr    s0, cycle
        li      t0, 0
        mtcr    cycle, t0                       # ignored
        mtcr    cycleh, t0
        mfcr    s1, cycle
        sub     t1, s1, s0                      # mfcr 2 + li 1 + mtcr 2 + mtcr 2
        expect  t1, 7, 32
        expect_cr cycleh, 0, 33

        # mtcr status drops the ring directly: the next instruction runs in ring 3
        la      t0, 1f                          # (sp is still the ring-0 stack)
        li      t1, 3
        mtcr    status, t1
d1:     mfcr    t0, status                      # already ring 3: PRIVILEGE
1:      expect_fault 1, V_PRIVILEGE, d1, d1, 40
        expect_exc EXC_STATUS, 3, 44
        rise_to 0
        # mtcr status can set ring 2 and IE at once (no interrupt is pending)
        li      t1, 2 + ST_IE
        mtcr    status, t1
d2:     halt                                    # ring 2: PRIVILEGE
        expect_fault 2, V_PRIVILEGE, d2, d2, 45
        expect_exc EXC_STATUS, 2 + ST_IE, 49    # the frame saved IE = 1 ...
        rise_to 0
        expect_cr status, 0 + ST_IE, 50         # ... and the gate kept it (gates keep IE)
        mtcr    status, zero
        pass

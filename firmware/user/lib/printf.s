# printf.s: formatted output, a small printf.
#
#   printf(fmt, a1..a7)        fprintf(fd, fmt, a2..a7)
#
# The format is copied as is except for conversions %[-][0][width]C, where C is
#   s string   d signed decimal   u unsigned decimal   x hex   c character   % a '%'
# A width pads the field with spaces on the left (or zeros with 0; on the right with -), so
# "%-10s|%5d" gives tables whose columns line up. Each conversion takes the next argument.
#
# The arguments are stored in an array on the stack and vfprintf walks it. Output is collected
# in a buffer on the stack and written in big pieces: one write per line, not per character.

        .include "abi.inc"

        .equ    BUFSZ, 128              # output buffer
        .equ    NUMBUF, BUFSZ           # 24 bytes for a number's digits
        .equ    FRAME, BUFSZ + 24 + 13 * 4

        .text
        .global printf, fprintf, vfprintf, utoa
        .global print_dec, print_udec, print_hex, print_u64

# printf(fmt, ...): formatted output on standard output.
printf:
        addi    sp, sp, -32
        sw      ra, 28(sp)
        sw      a1, 0(sp)               # the arguments become an array
        sw      a2, 4(sp)
        sw      a3, 8(sp)
        sw      a4, 12(sp)
        sw      a5, 16(sp)
        sw      a6, 20(sp)
        sw      a7, 24(sp)
        mv      a1, a0
        li      a0, STDOUT
        mv      a2, sp
        call    vfprintf
        lw      ra, 28(sp)
        addi    sp, sp, 32
        ret

# fprintf(fd, fmt, ...): formatted output on fd.
fprintf:
        addi    sp, sp, -28
        sw      ra, 24(sp)
        sw      a2, 0(sp)
        sw      a3, 4(sp)
        sw      a4, 8(sp)
        sw      a5, 12(sp)
        sw      a6, 16(sp)
        sw      a7, 20(sp)
        mv      a2, sp
        call    vfprintf
        lw      ra, 24(sp)
        addi    sp, sp, 28
        ret

# print_dec(n), print_udec(n), print_hex(n): print one number (signed, unsigned, hex).
print_dec:
        mv      a1, a0
        la      a0, fmt_d
        j       printf
print_udec:
        mv      a1, a0
        la      a0, fmt_u
        j       printf
print_hex:
        mv      a1, a0
        la      a0, fmt_x
        j       printf

# print_u64(lo, hi): print a 64-bit unsigned number (a cycle count) in decimal.
print_u64:
        addi    sp, sp, -28
        sw      ra, 24(sp)
        mv      a2, sp                  # 24-byte digit buffer
        call    utoa64
        call    print
        lw      ra, 24(sp)
        addi    sp, sp, 28
        ret

# utoa(n, base, buf) -> a pointer to the digits of unsigned n in base 10 or 16, which end
# with a NUL at buf + 11 (buf must hold 12 bytes).
utoa:
        addi    a2, a2, 11
        sb      zero, 0(a2)
1:      remu    t0, a0, a1
        divu    a0, a0, a1
        addi    t0, t0, '0'
        li      t1, '9'
        ble     t0, t1, 2f
        addi    t0, t0, 'a' - '9' - 1   # 10..15 become a..f
2:      addi    a2, a2, -1
        sb      t0, 0(a2)
        bnez    a0, 1b
        mv      a0, a2
        ret

# vfprintf(fd, fmt, args): the engine. args points at an array of argument words.
# While it runs: s0 fd, s1 fmt, s2 next argument, s3 bytes in the buffer, s4 left-align,
# s5 width, s6 pad character, s7 the field's text, s8 its sign ('-' or 0), s9 the buffer,
# s10 bytes written so far, s11 a counter for .Lpad.
vfprintf:
        addi    sp, sp, -FRAME
        sw      ra, FRAME-4(sp)
        sw      s0, FRAME-8(sp)
        sw      s1, FRAME-12(sp)
        sw      s2, FRAME-16(sp)
        sw      s3, FRAME-20(sp)
        sw      s4, FRAME-24(sp)
        sw      s5, FRAME-28(sp)
        sw      s6, FRAME-32(sp)
        sw      s7, FRAME-36(sp)
        sw      s8, FRAME-40(sp)
        sw      s9, FRAME-44(sp)
        sw      s10, FRAME-48(sp)
        sw      s11, FRAME-52(sp)
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        mv      s9, sp
        li      s3, 0
        li      s10, 0

.Lnext: lbu     a0, 0(s1)               # copy plain characters
        beqz    a0, .Lend
        addi    s1, s1, 1
        li      t0, '%'
        beq     a0, t0, .Lspec
        call    .Lput
        j       .Lnext

.Lspec: li      s4, 0                   # read the flags and the width
        li      s5, 0
        li      s6, ' '
        li      s8, 0
        lbu     t0, 0(s1)
        li      t1, '-'
        bne     t0, t1, 1f
        li      s4, 1
        addi    s1, s1, 1
        lbu     t0, 0(s1)
1:      li      t1, '0'
        bne     t0, t1, 2f
        li      s6, '0'
        addi    s1, s1, 1
2:      lbu     t0, 0(s1)
        addi    t0, t0, -'0'
        sltiu   t1, t0, 10
        beqz    t1, 3f
        slli    t1, s5, 3               # width = width * 10 + digit
        slli    s5, s5, 1
        add     s5, s5, t1
        add     s5, s5, t0
        addi    s1, s1, 1
        j       2b

3:      lbu     t0, 0(s1)               # the conversion character
        beqz    t0, .Lend               # the format ended after '%'
        addi    s1, s1, 1
        li      t1, 's'
        beq     t0, t1, .Ls
        li      t1, 'c'
        beq     t0, t1, .Lc
        li      t1, 'd'
        beq     t0, t1, .Ld
        li      t1, 'u'
        beq     t0, t1, .Lu
        li      t1, 'x'
        beq     t0, t1, .Lx
        mv      a0, t0                  # %% and anything unknown: the character itself
        call    .Lput
        j       .Lnext

.Ls:    lw      s7, 0(s2)
        addi    s2, s2, 4
        bnez    s7, .Lfield
        la      s7, null_text
        j       .Lfield
.Lc:    lw      t0, 0(s2)
        addi    s2, s2, 4
        addi    s7, s9, NUMBUF          # a one-character string
        sb      t0, 0(s7)
        sb      zero, 1(s7)
        j       .Lfield
.Ld:    lw      a0, 0(s2)
        bgez    a0, .Lu
        li      s8, '-'                 # print the sign, then the magnitude
        neg     a0, a0
        addi    s2, s2, 4
        li      a1, 10
        j       .Lconv
.Lu:    lw      a0, 0(s2)
        addi    s2, s2, 4
        li      a1, 10
        j       .Lconv
.Lx:    lw      a0, 0(s2)
        addi    s2, s2, 4
        li      a1, 16
.Lconv: addi    a2, s9, NUMBUF
        call    utoa
        mv      s7, a0

.Lfield:                                # print s8 and s7 in a field of width s5
        mv      a0, s7
        call    strlen
        sub     s5, s5, a0              # s5 = how much padding is needed
        beqz    s8, 1f
        addi    s5, s5, -1
1:      bnez    s4, 2f                  # right-aligned: padding first
        li      t0, '0'
        beq     s6, t0, 2f
        li      a0, ' '
        mv      a1, s5
        call    .Lpad
2:      beqz    s8, 3f
        mv      a0, s8
        call    .Lput
3:      bnez    s4, 4f                  # zeros go between the sign and the digits
        li      t0, '0'
        bne     s6, t0, 4f
        li      a0, '0'
        mv      a1, s5
        call    .Lpad
4:      lbu     a0, 0(s7)               # the text itself
        beqz    a0, 5f
        call    .Lput
        addi    s7, s7, 1
        j       4b
5:      beqz    s4, .Lnext              # left-aligned: padding last
        li      a0, ' '
        mv      a1, s5
        call    .Lpad
        j       .Lnext

.Lend:  call    .Lflush
        mv      a0, s10
        lw      s11, FRAME-52(sp)
        lw      s10, FRAME-48(sp)
        lw      s9, FRAME-44(sp)
        lw      s8, FRAME-40(sp)
        lw      s7, FRAME-36(sp)
        lw      s6, FRAME-32(sp)
        lw      s5, FRAME-28(sp)
        lw      s4, FRAME-24(sp)
        lw      s3, FRAME-20(sp)
        lw      s2, FRAME-16(sp)
        lw      s1, FRAME-12(sp)
        lw      s0, FRAME-8(sp)
        lw      ra, FRAME-4(sp)
        addi    sp, sp, FRAME
        ret

# .Lput(c): add a character to the buffer; write the buffer out when it is full.
.Lput:  add     t0, s9, s3
        sb      a0, 0(t0)
        addi    s3, s3, 1
        li      t0, BUFSZ
        beq     s3, t0, .Lflush         # .Lflush returns to our caller
        ret

# .Lflush: write out what the buffer holds.
.Lflush:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        beqz    s3, 1f
        mv      a0, s0
        mv      a1, s9
        mv      a2, s3
        call    write
        add     s10, s10, s3
        li      s3, 0
1:      lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

# .Lpad(c, n): put character c n times (nothing if n <= 0).
.Lpad:  addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      a0, 0(sp)
        mv      s11, a1
1:      blez    s11, 2f
        lw      a0, 0(sp)
        call    .Lput
        addi    s11, s11, -1
        j       1b
2:      lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

        .rodata
fmt_d:  .asciz  "%d"
fmt_u:  .asciz  "%u"
fmt_x:  .asciz  "%x"
null_text:
        .asciz  "(null)"

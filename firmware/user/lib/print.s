# print.s: writing characters and strings to the console (or any fd).
#
# These go straight to write(). printf.s formats numbers; these just move bytes.

        .include "abi.inc"

        .text
        .global putc, fputc, print, fprint, puts

# putc(c): print one character on standard output.
putc:
        mv      a1, a0
        li      a0, STDOUT
        # fall through to fputc

# fputc(fd, c): write one character to fd, from a byte on the stack.
fputc:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sb      a1, 0(sp)
        mv      a1, sp
        li      a2, 1
        call    write
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# print(s): print a string on standard output (no newline added).
print:
        mv      a1, a0
        li      a0, STDOUT
        # fall through to fprint

# fprint(fd, s): write the whole string s to fd.
fprint:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      a0, 4(sp)
        sw      a1, 0(sp)
        mv      a0, a1
        call    strlen
        mv      a2, a0          # write(fd, s, strlen(s))
        lw      a1, 0(sp)
        lw      a0, 4(sp)
        call    write
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# puts(s): print a string and a newline, like C's puts.
puts:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        call    print
        li      a0, '\n'
        call    putc
        lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

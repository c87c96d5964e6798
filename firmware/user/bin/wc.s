# wc [FILE...]: count lines, words and bytes, like Unix wc:
#
#   $ wc motd
#         3      38     227 motd
#
# Without a FILE it counts what is typed, up to Ctrl-D.

        .include "abi.inc"

        .equ    BUFSZ, 128

        .text
        .global main

# main(argc, argv): wc each file, or standard input.
main:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        li      s0, 0                   # exit status
        addi    s1, a0, -1              # files left
        addi    s2, a1, 4               # the next file's name
        bgtz    s1, 1f
        li      a0, STDIN
        la      a1, empty
        call    count
        j       9f
1:      lw      a0, 0(s2)               # open each file in turn
        li      a1, O_READ
        call    open
        bltz    a0, 2f
        lw      a1, 0(s2)
        call    count
        j       3f
2:      mv      a1, a0                  # "wc: NAME: message"
        lw      a0, 0(s2)
        call    perror_wc
        li      s0, 1
3:      addi    s2, s2, 4
        addi    s1, s1, -1
        bnez    s1, 1b
9:      mv      a0, s0
        lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

# perror_wc(name, code): "wc: name: message" on standard error.
perror_wc:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      a0, 0(sp)
        mv      a0, a1
        call    strerror
        mv      a3, a0
        lw      a2, 0(sp)
        li      a0, STDERR
        la      a1, error_fmt
        call    fprintf
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# count(fd, name): read fd to its end, print its lines, words and bytes and name; close it
# unless it is standard input. A word is a run of bytes that are not blanks.
count:
        addi    sp, sp, -32 - BUFSZ
        sw      ra, 28(sp)
        sw      s0, 24(sp)
        sw      s1, 20(sp)
        sw      s2, 16(sp)
        sw      s3, 12(sp)
        sw      s5, 4(sp)
        sw      s6, 0(sp)
        mv      s5, a0                  # fd
        mv      s6, a1                  # name
        li      s0, 0                   # lines
        li      s1, 0                   # words
        li      s2, 0                   # bytes
        li      s3, 0                   # 1 while inside a word
1:      mv      a0, s5
        addi    a1, sp, 32              # the buffer is above the saved registers
        li      a2, BUFSZ
        call    read
        blez    a0, 5f
        add     s2, s2, a0
        addi    t0, sp, 32              # t0 walks the bytes, t1 is the end
        add     t1, t0, a0
2:      beq     t0, t1, 1b
        lbu     t2, 0(t0)
        addi    t0, t0, 1
        li      t3, '\n'
        bne     t2, t3, 3f
        addi    s0, s0, 1
        j       4f                      # a newline is also a blank
3:      li      t3, ' '
        beq     t2, t3, 4f
        li      t3, '\t'
        beq     t2, t3, 4f
        bnez    s3, 2b                  # not a blank: a new word starts here?
        li      s3, 1
        addi    s1, s1, 1
        j       2b
4:      li      s3, 0
        j       2b
5:      li      t0, STDIN
        beq     s5, t0, 6f
        mv      a0, s5
        call    close
6:      la      a0, count_fmt
        mv      a1, s0
        mv      a2, s1
        mv      a3, s2
        mv      a4, s6
        call    printf
        lw      s6, 0(sp)
        lw      s5, 4(sp)
        lw      s3, 12(sp)
        lw      s2, 16(sp)
        lw      s1, 20(sp)
        lw      s0, 24(sp)
        lw      ra, 28(sp)
        addi    sp, sp, 32 + BUFSZ
        ret

        .rodata
empty:          .asciz ""
count_fmt:      .asciz "%7u %7u %7u %s\n"
error_fmt:      .asciz "wc: %s: %s\n"

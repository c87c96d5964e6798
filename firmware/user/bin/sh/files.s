# files.s: the shell's built-in commands for files: ls, cat, echo (which can also write a
# file) and rm. Each is called as cmd(argc, argv).

        .include "sh.inc"

        .text
        .global cmd_ls, cmd_cat, cmd_echo, cmd_rm, cat_file_quiet

# ls: one line per file: its name and size in bytes.
cmd_ls:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      s0, 0
1:      mv      a0, s0
        la      a1, rec
        call    readdir
        beqz    a0, 9f
        bltz    a0, 8f
        la      a1, rec + DIRENT_NAME
        lw      a2, rec + DIRENT_SIZE
        la      a0, ls_fmt
        call    printf
        addi    s0, s0, 1
        j       1b
8:      mv      a1, a0
        la      a0, ls_name
        call    perror
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# cat FILE...: print each file.
cmd_cat:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        mv      s0, a0
        addi    s1, a1, 4               # argv + 1
        li      t0, 2
        bge     s0, t0, 1f
        la      a0, cat_usage
        call    usage
        j       9f
1:      addi    s0, s0, -1              # files left
2:      beqz    s0, 9f
        lw      a0, 0(s1)
        call    cat_file
        addi    s1, s1, 4
        addi    s0, s0, -1
        j       2b
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# cat_file(name): copy a file to standard output; complain if it cannot be read.
# cat_file_quiet(name): the same, but a missing file is not worth a word.
cat_file:
        li      a1, 0
        j       1f
cat_file_quiet:
        li      a1, 1
1:      addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        mv      s1, a0                  # name
        mv      s2, a1                  # quiet
        li      a1, O_READ
        call    open
        mv      s0, a0                  # fd
        bgez    s0, 2f
        bnez    s2, 9f
        mv      a2, s0
        j       8f
2:      mv      a0, s0                  # copy until read returns 0
        la      a1, iobuf
        li      a2, IOBUF
        call    read
        blez    a0, 3f
        mv      a2, a0
        li      a0, STDOUT
        la      a1, iobuf
        call    write
        j       2b
3:      mv      s2, a0                  # 0, or an error code
        mv      a0, s0
        call    close
        beqz    s2, 9f
        mv      a2, s2
8:      la      a0, cat_name            # "cat: NAME: message"
        mv      a1, s1
        call    complain
9:      lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

# echo WORDS... [> FILE | >> FILE]: print the words separated by spaces, on standard output
# or into FILE (> empties it first, >> appends). "> FILE" and ">FILE" both work.
cmd_echo:
        addi    sp, sp, -20
        sw      ra, 16(sp)
        sw      s0, 12(sp)
        sw      s1, 8(sp)
        sw      s2, 4(sp)
        sw      s3, 0(sp)
        mv      s0, a0                  # argc
        mv      s1, a1                  # argv
        li      s2, STDOUT              # where the words go
        mv      s3, a0                  # how many argv entries to print (up to a '>')
        li      t0, 1                   # look for a word that starts with '>'
1:      bge     t0, s0, 4f
        slli    t1, t0, 2
        add     t1, t1, s1
        lw      t2, 0(t1)               # argv[i]
        lbu     t3, 0(t2)
        li      t4, '>'
        beq     t3, t4, 2f
        addi    t0, t0, 1
        j       1b
2:      mv      s3, t0                  # print argv[1 .. i-1]
        li      a1, O_WRITE | O_CREATE | O_TRUNC
        addi    a0, t2, 1               # the name follows '>' ...
        lbu     t3, 1(t2)
        bne     t3, t4, 3f
        li      a1, O_WRITE | O_CREATE | O_APPEND
        addi    a0, t2, 2               # ... or '>>'
3:      lbu     t3, 0(a0)
        bnez    t3, 5f
        lw      a0, 4(t1)               # ... or is the next word
        bnez    a0, 5f
        la      a0, echo_usage
        call    usage
        j       9f
5:      sw      a0, 0(t1)               # remember the name (argv[i]) for an error message
        call    open
        bltz    a0, 7f
        mv      s2, a0
4:      li      s0, 1                   # now s0 = i, from 1 to s3 - 1
6:      bge     s0, s3, 8f
        li      t0, 1
        beq     s0, t0, 10f
        mv      a0, s2                  # a space between words
        li      a1, ' '
        call    fputc
10:     slli    t0, s0, 2
        add     t0, t0, s1
        lw      a1, 0(t0)
        mv      a0, s2
        call    fprint
        addi    s0, s0, 1
        j       6b
8:      mv      a0, s2
        li      a1, '\n'
        call    fputc
        li      t0, STDOUT
        beq     s2, t0, 9f
        mv      a0, s2
        call    close
        j       9f
7:      mv      a2, a0                  # open failed
        slli    t0, s3, 2
        add     t0, t0, s1
        lw      a1, 0(t0)
        la      a0, echo_name
        call    complain
9:      lw      s3, 0(sp)
        lw      s2, 4(sp)
        lw      s1, 8(sp)
        lw      s0, 12(sp)
        lw      ra, 16(sp)
        addi    sp, sp, 20
        ret

# rm FILE...: remove files.
cmd_rm:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        addi    s0, a0, -1              # files
        addi    s1, a1, 4
        bgtz    s0, 1f
        la      a0, rm_usage
        call    usage
        j       9f
1:      beqz    s0, 9f
        lw      a0, 0(s1)
        call    unlink
        bgez    a0, 2f
        mv      a2, a0
        lw      a1, 0(s1)
        la      a0, rm_name
        call    complain
2:      addi    s1, s1, 4
        addi    s0, s0, -1
        j       1b
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

        .rodata
ls_fmt:         .asciz "%-24s %8u\n"
ls_name:        .asciz "ls"
cat_name:       .asciz "cat"
echo_name:      .asciz "echo"
rm_name:        .asciz "rm"
cat_usage:      .asciz "cat FILE..."
echo_usage:     .asciz "echo WORDS... > FILE"
rm_usage:       .asciz "rm FILE..."

# string.s: the C string and memory functions programs need, plus word splitting.
#
# All of them are leaf functions: they use only a and t registers and never touch the stack.

        .include "abi.inc"

        .text
        .global strlen, strcmp, strncmp, strcpy, memcpy, memset, strchr
        .global atoi, skipspace, split

# strlen(s) -> the number of bytes before the NUL.
strlen:
        mv      t0, a0
1:      lbu     t1, 0(t0)
        beqz    t1, 2f
        addi    t0, t0, 1
        j       1b
2:      sub     a0, t0, a0
        ret

# strcmp(a, b) -> 0 if equal, else the difference of the first bytes that differ.
strcmp:
1:      lbu     t0, 0(a0)
        lbu     t1, 0(a1)
        bne     t0, t1, 2f
        beqz    t0, 2f          # both ended
        addi    a0, a0, 1
        addi    a1, a1, 1
        j       1b
2:      sub     a0, t0, t1
        ret

# strncmp(a, b, n): strcmp that looks at no more than n bytes.
strncmp:
1:      beqz    a2, 3f
        lbu     t0, 0(a0)
        lbu     t1, 0(a1)
        bne     t0, t1, 2f
        beqz    t0, 2f
        addi    a0, a0, 1
        addi    a1, a1, 1
        addi    a2, a2, -1
        j       1b
2:      sub     a0, t0, t1
        ret
3:      li      a0, 0           # the first n bytes are equal
        ret

# strcpy(dst, src) -> dst: copy src and its NUL.
strcpy:
        mv      t0, a0
1:      lbu     t1, 0(a1)
        sb      t1, 0(t0)
        addi    a1, a1, 1
        addi    t0, t0, 1
        bnez    t1, 1b
        ret

# memcpy(dst, src, n) -> dst: copy n bytes, one at a time (simple beats fast here).
memcpy:
        mv      t0, a0
1:      beqz    a2, 2f
        lbu     t1, 0(a1)
        sb      t1, 0(t0)
        addi    a1, a1, 1
        addi    t0, t0, 1
        addi    a2, a2, -1
        j       1b
2:      ret

# memset(dst, byte, n) -> dst: fill n bytes with byte.
memset:
        mv      t0, a0
1:      beqz    a2, 2f
        sb      a1, 0(t0)
        addi    t0, t0, 1
        addi    a2, a2, -1
        j       1b
2:      ret

# strchr(s, c) -> a pointer to the first c in s, or 0 if there is none.
strchr:
        andi    a1, a1, 0xff
1:      lbu     t0, 0(a0)
        beq     t0, a1, 2f
        beqz    t0, 3f
        addi    a0, a0, 1
        j       1b
2:      ret
3:      li      a0, 0
        ret

# atoi(s) -> a0 = the decimal number s holds (a leading '-' is allowed), a1 = 1 if all of s
# was a number, 0 if s was empty or had other characters (so "12x" gives 12 and a1 = 0).
atoi:
        li      t0, 0           # value
        li      t2, 0           # 1 if negative
        li      a1, 0           # digits seen
        lbu     t1, 0(a0)
        li      t3, '-'
        bne     t1, t3, 1f
        li      t2, 1
        addi    a0, a0, 1
1:      lbu     t1, 0(a0)
        addi    t1, t1, -'0'
        sltiu   t3, t1, 10      # t3 = is it a digit
        beqz    t3, 2f
        slli    t3, t0, 3       # value = value * 10 + digit
        slli    t0, t0, 1
        add     t0, t0, t3
        add     t0, t0, t1
        li      a1, 1
        addi    a0, a0, 1
        j       1b
2:      lbu     t1, 0(a0)       # a whole number ends with the string
        beqz    t1, 3f
        li      a1, 0
3:      beqz    t2, 4f
        neg     t0, t0
4:      mv      a0, t0
        ret

# skipspace(s) -> a pointer to the first byte of s that is not a space, tab or newline.
skipspace:
1:      lbu     t0, 0(a0)
        li      t1, ' '
        beq     t0, t1, 2f
        li      t1, '\t'
        beq     t0, t1, 2f
        li      t1, '\n'
        beq     t0, t1, 2f
        ret
2:      addi    a0, a0, 1
        j       1b

# split(line, argv, max) -> argc: cut line into words in place. Each space, tab or newline
# after a word becomes a NUL, and argv[i] points at word i. At most max words are stored;
# what follows them is left as it is. Leaf function, so it repeats skipspace's test inline.
split:
        li      a3, 0           # argc
1:      lbu     t0, 0(a0)       # skip blanks before a word
        beqz    t0, 4f
        li      t1, ' '
        beq     t0, t1, 2f
        li      t1, '\t'
        beq     t0, t1, 2f
        li      t1, '\n'
        beq     t0, t1, 2f
        beq     a3, a2, 4f      # a word, but argv is full
        slli    t1, a3, 2       # argv[argc++] = here
        add     t1, t1, a1
        sw      a0, 0(t1)
        addi    a3, a3, 1
3:      addi    a0, a0, 1       # walk to the end of the word
        lbu     t0, 0(a0)
        beqz    t0, 4f
        li      t1, ' '
        beq     t0, t1, 5f
        li      t1, '\t'
        beq     t0, t1, 5f
        li      t1, '\n'
        beq     t0, t1, 5f
        j       3b
5:      sb      zero, 0(a0)     # end the word
2:      addi    a0, a0, 1
        j       1b
4:      mv      a0, a3
        ret

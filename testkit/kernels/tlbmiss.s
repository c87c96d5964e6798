# tlbmiss: reads one word from each of 256 pages (four times the TLB's 64 entries, so with
# paging on every access misses), 4,000 times over. Page i holds i; checksum = 4000 * 32640.
        .equ    EXPECTED, 130560000
        .equ    PAGES, 256
        .include "rt.inc"

        .text
main:
        la      t0, pages
        li      t1, 0
        li      t2, PAGES
        li      t3, 4096
1:      sw      t1, 0(t0)               # page i holds i
        add     t0, t0, t3
        addi    t1, t1, 1
        bne     t1, t2, 1b

        li      a0, 0
        li      t4, 4000
2:      la      t0, pages
        li      t1, PAGES
3:      lw      t5, 0(t0)
        add     a0, a0, t5
        add     t0, t0, t3
        addi    t1, t1, -1
        bnez    t1, 3b
        addi    t4, t4, -1
        bnez    t4, 2b
        ret

        .bss
        .balign 4096
pages:  .space  PAGES * 4096

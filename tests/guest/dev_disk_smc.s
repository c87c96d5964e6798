# dev_disk_smc.s — DMA over translated code: a function is run (so the threaded engine has
# translated it), then a disk READ lands new code on top of it; the next call must run the new
# code on both engines.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    CODE, 0x200000
        .equ    BUF, 0x210000

main:
        # CODE = "return 1"; run it twice (translated)
        la      t0, ret1
        li      t1, CODE
        lw      t2, 0(t0)
        sw      t2, 0(t1)
        lw      t2, 4(t0)
        sw      t2, 4(t1)
        li      s1, CODE
        jalr    ra, 0(s1)
        expect  a0, 1, 1
        jalr    ra, 0(s1)
        expect  a0, 1, 2
        # sector 5 = "return 2"
        la      t0, ret2
        li      t1, BUF
        lw      t2, 0(t0)
        sw      t2, 0(t1)
        lw      t2, 4(t0)
        sw      t2, 4(t1)
        disk_cmd DC_WRITE, 5, 1, BUF
        expect  a0, 0, 3
        # DMA it over the translated function
        disk_cmd DC_READ, 5, 1, CODE
        expect  a0, 0, 4
        jalr    ra, 0(s1)
        expect  a0, 2, 5
        pass

ret1:   li      a0, 1
        ret
ret2:   li      a0, 2
        ret

# disk_builtin.s — run with `-drive builtin`: the built-in Ringfort OS disk is attached (in
# memory) and sector 0 holds an RFFS superblock (tests/os_cli.rs).

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BUF, DATA_AREA

main:
        disk_cmd DC_READ, 0, 1, BUF
        expect  a0, 0, 1
        li      t0, BUF
        lw      t1, 0(t0)
        expect  t1, 0x53464652, 2               # "RFFS"
        lw      t1, 4(t0)
        expect  t1, 1, 3                        # version
        lw      t1, 8(t0)
        expect  t1, 2048, 4                     # 1 MiB
        pass

# The disk driver (ring 1): reads and writes sectors by DMA, sleeping until the disk's
# completion interrupt. One command at a time (the disk lock).
#
# Buffers are kernel-half addresses, which equal their physical addresses (the identity map),
# so the DMA address is the buffer's own. Only the file service calls these gates.

        .include "machine.inc"
        .include "abi.inc"
        .include "lock.inc"

        .section .drv.text, "ax"
# disk_read(a0 = sector, a1 = count, a2 = buffer) gate -> 0 or E_IO.
        .global disk_read
disk_read:
        li      a3, DC_READ
        j       disk_command

# disk_write(a0 = sector, a1 = count, a2 = buffer) gate -> 0 or E_IO.
        .global disk_write
disk_write:
        li      a3, DC_WRITE
        j       disk_command

# disk_flush() gate -> 0 or E_IO: written sectors reach the image on the host.
        .global disk_flush
disk_flush:
        li      a3, DC_FLUSH
        j       disk_command

# disk_info() gate -> sectors on the disk (0: none).
        .global disk_info
disk_info:
        li      t0, DISK
        lw      a0, DISK_CAPACITY(t0)
        retg

# disk_command(a0 = sector, a1 = count, a2 = buffer, a3 = command): starts it, sleeps until it
# is done, returns its result to the gate's caller.
disk_command:
        addi    sp, sp, -20
        sw      s0, 0(sp)
        sw      s1, 4(sp)
        sw      s2, 8(sp)
        sw      s3, 12(sp)
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        mv      s3, a3
        lock_acquire disk_lock
        li      t0, DISK
        li      t1, 1
        sw      t1, DISK_ACK(t0)                # forget the previous command's result
        sw      s0, DISK_SECTOR(t0)
        sw      s1, DISK_COUNT(t0)
        sw      s2, DISK_ADDR(t0)
        li      t1, 1
        sw      t1, DISK_CTRL(t0)               # completion interrupt on
        sw      s3, DISK_CMD(t0)
1:      li      t0, DISK
        lw      t1, DISK_STATUS(t0)
        andi    t2, t1, DS_DONE
        bnez    t2, 2f
        li      a0, IRQ_DISK
        li      a1, 0                           # (no word to check: just the interrupt)
        callg   K_IRQWAIT                       # (killed meanwhile: wait on; the DMA is running)
        j       1b
2:      andi    t2, t1, DS_ERROR
        li      s0, 0
        beqz    t2, 3f
        li      s0, E_IO
3:      li      t1, 1
        sw      t1, DISK_ACK(t0)
        lock_release disk_lock
        mv      a0, s0
        lw      s0, 0(sp)
        lw      s1, 4(sp)
        lw      s2, 8(sp)
        lw      s3, 12(sp)
        addi    sp, sp, 20
        retg

        .section .drv.data, "aw"
        .balign 4
disk_lock:  .word   0

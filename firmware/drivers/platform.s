# The platform's devices: interrupt controller, timer, power switch. The kernel calls these
# routines directly (in ring 0); they are here so that every device access in the system is
# in a driver file.

        .include "machine.inc"
        .include "layout.inc"
        .include "abi.inc"

        .section .drv.text, "ax"
# platform_init(): the timer interrupts every TICK_CYCLES; its line is the only one enabled
# (others are enabled while a driver waits for them).
        .global platform_init
platform_init:
        li      t0, PIC
        li      t1, 15
        sw      t1, PIC_PRIO(t0)                # the timer first
        li      t1, 1 << IRQ_TIMER
        sw      t1, PIC_ENABLE(t0)
        li      t0, TIMER
        li      t1, TICK_CYCLES
        sw      t1, TIMER_PERIOD(t0)
        li      t1, TC_ENABLE | TC_PERIODIC | TC_IRQ
        sw      t1, TIMER_CTRL(t0)
        ret

# timer_ack(): clears the timer's fired bit.
        .global timer_ack
timer_ack:
        li      t0, TIMER
        li      t1, 1
        sw      t1, TIMER_STATUS(t0)
        ret

# pic_enable(a0 = line), pic_disable(a0 = line), pic_eoi(a0 = line).
        .global pic_enable, pic_disable, pic_eoi
pic_enable:
        li      t0, PIC
        li      t1, 1
        sll     t1, t1, a0
        lw      t2, PIC_ENABLE(t0)
        or      t2, t2, t1
        sw      t2, PIC_ENABLE(t0)
        ret
pic_disable:
        li      t0, PIC
        li      t1, 1
        sll     t1, t1, a0
        not     t1, t1
        lw      t2, PIC_ENABLE(t0)
        and     t2, t2, t1
        sw      t2, PIC_ENABLE(t0)
        ret
pic_eoi:
        li      t0, PIC
        sw      a0, PIC_EOI(t0)
        ret

# power_off(a0 = exit code): the machine stops.
        .global power_off
power_off:
        li      t0, POWER
        sw      a0, POWER_OFF(t0)
1:      j       1b                              # (the write takes effect at once)

# devices_banner(): one line naming the devices that answer, with their sizes.
        .global devices_banner
devices_banner:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        la      a0, msg_dev
        call    kputs
        li      t0, DISK
        lw      t1, DISK_STATUS(t0)
        andi    t1, t1, DS_PRESENT
        beqz    t1, 1f
        la      a0, msg_disk
        call    kputs
        li      t0, DISK
        lw      a0, DISK_CAPACITY(t0)
        srli    a0, a0, 1                       # sectors -> KiB
        call    kputdec
        la      a0, msg_kib
        call    kputs
        j       2f
1:      la      a0, msg_nodisk
        call    kputs
2:      la      a0, msg_fb
        call    kputs
        li      t0, FBCTL
        lw      a0, FB_WIDTH(t0)
        call    kputdec
        li      a0, 'x'
        call    cons_putc
        li      t0, FBCTL
        lw      a0, FB_HEIGHT(t0)
        call    kputdec
        la      a0, msg_cam
        call    kputs
        li      t0, CAMERA
        lw      a0, CAM_WIDTH(t0)
        call    kputdec
        li      a0, 'x'
        call    cons_putc
        li      t0, CAMERA
        lw      a0, CAM_HEIGHT(t0)
        call    kputdec
        la      a0, msg_end
        call    kputs
        lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

        .section .drv.data, "aw"
msg_dev:    .asciz  "devices: console (uart), timer, interrupt controller, "
msg_disk:   .asciz  "disk "
msg_kib:    .asciz  " KiB"
msg_nodisk: .asciz  "no disk"
msg_fb:     .asciz  ", framebuffer "
msg_cam:    .asciz  ", keyboard, camera "
msg_end:    .asciz  "\n"

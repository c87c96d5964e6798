# spyware [direct | ask]: the textbook example of why devices sit behind a driver.
#
#   spyware         (or spyware direct) tries to switch the camera on by itself, with one
#                   store to the camera's CTRL register. Device registers need ring 1
#                   (iopl = 1), so the CPU raises IO_PRIVILEGE and the kernel kills the
#                   program before the camera ever turns on.
#   spyware ask     asks the camera driver in ring 1 through its gate, camera(1): the
#                   legitimate way, which the system can log, limit or refuse. It reports
#                   the camera's state, waits half a second and switches it off again.

        .include "abi.inc"
        .include "machine.inc"          # the camera's registers (SPEC.md section 11.11)

        .equ    CAMERA_CTRL, CAMERA + CAM_CTRL
        .include "layout.inc"
        .equ    HALF_SECOND, TICKS_PER_SECOND / 2

        .text
        .global main

# main(argc, argv): pick the way by the argument.
main:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      t0, 2
        blt     a0, t0, 1f              # no argument: direct
        bne     a0, t0, usage
        lw      s0, 4(a1)
        mv      a0, s0
        la      a1, direct_word
        call    strcmp
        beqz    a0, 1f
        mv      a0, s0
        la      a1, ask_word
        call    strcmp
        bnez    a0, usage
        call    ask
        j       9f
1:      call    direct
        j       9f
usage:
        la      a0, usage_text
        call    puts
        li      a0, 1
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# direct() -> 1: store 1 into the camera's CTRL register ourselves. This store faults.
direct:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        la      a0, direct_fmt
        li      a1, CAMERA_CTRL
        call    printf
        li      t0, CAMERA_CTRL
        li      t1, CC_ON               # power on
        sw      t1, 0(t0)               # the CPU refuses: ring 3 > iopl
        la      a0, direct_worked       # only if the protection is broken
        call    puts
        li      a0, 1
        lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

# ask() -> 0 or 1: have the driver switch the camera on, report, wait, switch it off.
ask:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)               # 0..7(sp): gateinfo of SYS_CAMERA
        li      a0, SYS_CAMERA
        call    gate_name
        mv      a1, a0
        la      a0, ask_fmt
        call    printf
        li      a0, 1
        call    camera                  # camera(1) -> STATUS
        mv      s0, a0
        bltz    s0, 8f
        andi    t0, s0, CS_ON           # STATUS bit 0: on
        beqz    t0, 7f
        li      a0, SYS_CAMERA          # which ring did the gate take us to? Ask the
        mv      a1, sp                  # live descriptor rather than believe abi.inc.
        call    gateinfo
        lw      t0, GI_FLAGS(sp)
        srli    s0, t0, 1
        andi    s0, s0, 3
        li      a0, SYS_CAMERA
        call    gate_name
        mv      a1, a0
        mv      a2, s0
        la      a0, on_fmt
        call    printf
        li      a0, HALF_SECOND
        call    sleep
        li      a0, 0
        call    camera                  # camera(0): off again
        bltz    a0, 8f
        mv      a1, a0
        la      a0, off_fmt
        call    printf
        li      a0, 0
        j       9f
7:      mv      a1, s0                  # the driver said no
        la      a0, refused_fmt
        call    printf
        li      a0, 1
        j       9f
8:      mv      a1, a0
        la      a0, camera_name
        call    perror
        li      a0, 1
9:      lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

        .rodata
direct_word:    .asciz "direct"
ask_word:       .asciz "ask"
usage_text:     .asciz "usage: spyware [direct | ask]"
direct_fmt:     .ascii "spyware: switching the camera on myself: storing 1 into its CTRL register\n"
                .asciz "spyware: at 0x%08x, from ring 3, without asking the driver...\n"
direct_worked:  .asciz "spyware: the camera is on and nobody stopped me! (this must not happen)"
ask_fmt:        .asciz "spyware: asking the camera driver through gate %s...\n"
on_fmt:         .asciz "spyware: the camera driver switched the camera on (allowed: through gate %s into ring %d)\n"
off_fmt:        .asciz "spyware: and switched it off again (status %x)\n"
refused_fmt:    .asciz "spyware: the camera is still off (status %x)\n"
camera_name:    .asciz "spyware: camera"

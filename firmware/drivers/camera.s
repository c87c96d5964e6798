# The camera driver (ring 1): switches the camera on and off for a program that asks through
# its gate (SYS_CAMERA). A program cannot reach the camera's registers itself: they need
# CPL <= iopl = 1, so a ring-3 store to them raises IO_PRIVILEGE (see `spyware`). The
# emulator shows an indicator whenever the camera is on.

        .include "machine.inc"
        .include "abi.inc"

        .section .drv.text, "ax"
# camera(a0 = 1 on, 0 off) gate -> the camera's STATUS word (bit 0 = on).
        .global cam_power
cam_power:
        li      t0, CAMERA
        sltu    t1, zero, a0                    # any non-zero value means on
        sw      t1, CAM_CTRL(t0)
        lw      a0, CAM_STATUS(t0)
        retg

# dev_camera.s — the camera is only reachable by drivers. Ring 3 (iopl = 1) touching its
# registers faults with IO_PRIVILEGE; a ring-1 driver, entered through call gate 4, switches
# it on, captures a frame into the buffer a0 names, and returns the frame count; gate 5 switches
# it off. DATA_AREA: +0 the count the driver returned; the frame at CAM_BUF.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    CAM_BUF, 0x200000
        .equ    R_FRAMES, DATA_AREA

main:
        set_gate GATE_FREE, cam_capture, D_P + 1 * D_T + 3 * D_DPL
        set_gate GATE_FREE + 1, cam_off, D_P + 1 * D_T + 3 * D_DPL
        li      t0, 1
        mtcr    iopl, t0                # drivers (ring 1) may use devices
        drop_to 3
        clear_exc
        li      t1, CAMERA
        li      t0, CC_ON
poke:   sw      t0, CAM_CTRL(t1)        # ring 3: refused
        expect_fault 1, V_IO_PRIVILEGE, CAMERA + CAM_CTRL, poke, 1
peek:   lw      t0, CAM_STATUS(t1)
        expect_fault 2, V_IO_PRIVILEGE, CAMERA + CAM_STATUS, peek, 5
        li      a0, CAM_BUF
        callg   GATE_FREE               # the driver
        li      t1, R_FRAMES
        sw      a0, 0(t1)
        expect  a0, 1, 9
        li      t0, CAM_BUF
        lw      t0, 0(t0)               # the frame is in RAM
        li      t1, 0
        beq     t0, t1, 1f              # (not black: bars start with white or a colour)
        callg   GATE_FREE + 1
        expect  a0, 0, 10               # STATUS after switching off
        pass
1:      li      a0, 11
        j       check_failed

# Gate 4 (ring 1): on, capture one frame into a0, wait for it, return FRAMES.
cam_capture:
        li      t1, CAMERA
        lw      t0, CAM_WIDTH(t1)
        li      t2, 160
        bne     t0, t2, 2f
        sw      a0, CAM_ADDR(t1)
        li      t0, CC_ON
        sw      t0, CAM_CTRL(t1)
        li      t0, 1
        sw      t0, CAM_CAPTURE(t1)
1:      lw      t0, CAM_STATUS(t1)
        andi    t0, t0, CS_DONE
        beqz    t0, 1b
        li      t0, 1
        sw      t0, CAM_ACK(t1)
        lw      a0, CAM_FRAMES(t1)
        retg
2:      li      a0, 99
        retg

# Gate 5 (ring 1): off; returns STATUS.
cam_off:
        li      t1, CAMERA
        sw      zero, CAM_CTRL(t1)
        lw      a0, CAM_STATUS(t1)
        retg

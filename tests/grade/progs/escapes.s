# Tries to leave ring 3: halt is privileged (ring 0 only).
        .text
        .global _start
_start: li      a0, 0
        halt

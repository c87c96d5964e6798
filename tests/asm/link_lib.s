        .text
        .global helper
        .type   helper, @function
helper: li      a0, 1
        ret
        .size   helper, . - helper
local:  nop
        .data
        .global counter
counter: .word  41

# errors.s: error messages. A system call that fails returns a negative code (E_NOENT, ...);
# strerror turns it into the text ERROR_LIST in abi.inc gives for it.
#
# The messages and the table are generated from ERROR_LIST, so a new error code needs no
# change here. The table is indexed by -code: the list runs -1, -2, ... with no gaps (checked).

        .include "abi.inc"

        .text
        .global strerror, perror

# strerror(code) -> the message for an error code, or "unknown error".
strerror:
        neg     t0, a0                  # index = -code, 1..ERROR_COUNT
        addi    t1, t0, -1
        li      t2, ERROR_COUNT
        bgeu    t1, t2, 1f              # also catches code >= 0
        slli    t0, t0, 2
        la      t1, error_table
        add     t0, t0, t1
        lw      a0, 0(t0)
        ret
1:      la      a0, unknown_error
        ret

# perror(what, code): print "what: message" and a newline on standard error.
perror:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      a0, 0(sp)
        mv      a0, a1
        call    strerror
        mv      a3, a0
        lw      a2, 0(sp)
        li      a0, STDERR
        la      a1, perror_fmt
        call    fprintf
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

        .rodata
# ERROR_TEXT: the message of one error as a string labelled err_NAME.
        .macro  ERROR_TEXT name, value, message
err_\name: .asciz \message
        .endm
        ERROR_LIST ERROR_TEXT

# ERROR_ENTRY: the table entry for one error; the codes must come in order -1, -2, ...
        .set    next_code, -1
        .macro  ERROR_ENTRY name, value, message
        .if     \value != next_code
        .error  "ERROR_LIST must run -1, -2, ... without gaps: \name is out of place"
        .endif
        .set    next_code, next_code - 1
        .word   err_\name
        .endm

        .balign 4
error_table:
        .word   unknown_error           # index 0: not an error
        ERROR_LIST ERROR_ENTRY
        .if     next_code != -ERROR_COUNT - 1
        .error  "ERROR_COUNT does not match ERROR_LIST"
        .endif

unknown_error:
        .asciz  "unknown error"
perror_fmt:
        .asciz  "%s: %s\n"

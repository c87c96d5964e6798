# crt0.s: where every program starts.
#
# The kernel enters a new process here in ring 3 with a0 = argc and a1 = argv (argv[0] is the
# program's name) and sp at the top of its stack. We call main(argc, argv) and hand what it
# returns to exit, so `main` can simply return its exit status.

        .include "abi.inc"

        .text
        .global _start
_start:
        call    main            # a0, a1 are already argc, argv
        call    exit            # a0 = main's return value; exit never returns
1:      j       1b              # not reached

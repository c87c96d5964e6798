# sys.s: one small function per system call a program may make.
#
# A system call is `callg N`: the CPU checks gate N of the gate table and jumps into the ring
# that serves it (kernel, driver or file service). Arguments are already in a0..a5 and the
# result comes back in a0 (a1), so each wrapper is just `callg SYS_X; ret`, and a program
# calls write(fd, buf, len) like any other function.
#
# The gate numbers come from GATE_LIST in abi.inc. The assembler cannot turn SYS_WRITE into
# the name `write`, so the names are written out below, but two checks keep them honest:
# a wrapper for a gate that ring 3 may not call is an error, and so is a ring-3 gate that
# has no wrapper.

        .include "abi.inc"

# GATE_DPL: define NAME_DPL = the gate's DPL for every gate in the list.
        .macro  GATE_DPL name, num, ring, dpl, handler
        .equ    \name\()_DPL, \dpl
        .endm
        GATE_LIST GATE_DPL

# syscall fname, GATE: the function `fname`, which calls gate GATE and returns its result.
        .macro  syscall fname, gate
        .if     \gate\()_DPL != RING_USER
        .error  "\gate cannot be called from ring 3: no wrapper for it"
        .endif
        .equ    \gate\()_WRAPPED, 1
        .global \fname
        .type   \fname, @function
\fname:
        callg   \gate
        ret
        .size   \fname, . - \fname
        .endm

        .text
        syscall exit,     SYS_EXIT          # exit(status): never returns
        syscall write,    SYS_WRITE         # write(fd, buf, len) -> bytes written
        syscall read,     SYS_READ          # read(fd, buf, len) -> bytes read, 0 = end
        syscall open,     SYS_OPEN          # open(path, O_* flags) -> fd
        syscall close,    SYS_CLOSE         # close(fd)
        syscall unlink,   SYS_UNLINK        # unlink(path)
        syscall readdir,  SYS_READDIR       # readdir(i, dirent*) -> 1, or 0 past the end
        syscall spawn,    SYS_SPAWN         # spawn(path, argline) -> pid
        syscall wait,     SYS_WAIT          # wait(pid or -1, &status) -> pid
        syscall kill,     SYS_KILL          # kill(pid)
        syscall getpid,   SYS_GETPID        # getpid() -> pid
        syscall yield,    SYS_YIELD         # yield(): let another process run
        syscall sleep,    SYS_SLEEP         # sleep(ticks), a tick is 10 ms
        syscall sbrk,     SYS_SBRK          # sbrk(bytes) -> old end of the heap
        syscall uptime,   SYS_UPTIME        # uptime() -> a0 cycles low, a1 high
        syscall ps,       SYS_PS            # ps(i, procinfo*) -> 1, or 0 past the end
        syscall mem,      SYS_MEM           # mem(meminfo*)
        syscall gateinfo, SYS_GATEINFO      # gateinfo(n, gateinfo*) -> 1, or 0 past the end
        syscall poweroff, SYS_POWEROFF      # poweroff(code): never returns
        syscall sync,     SYS_SYNC          # sync(): written data reaches the disk
        syscall fbinfo,   SYS_FBINFO        # fbinfo() -> a0 width, a1 height
        syscall fbfill,   SYS_FBFILL        # fbfill(x, y, w, h, 0x00RRGGBB)
        syscall key,      SYS_KEY           # key() -> keyboard event, 0 if none
        syscall camera,   SYS_CAMERA        # camera(on) -> camera STATUS word
        syscall stat,     SYS_STAT          # stat(path, dirent*)
        syscall seek,     SYS_SEEK          # seek(fd, offset)
        syscall uname,    SYS_UNAME         # uname(buf, len) -> length of the version
        syscall foreground, SYS_FOREGROUND  # foreground(pid): who Ctrl-C stops (0: nobody)

# Every gate ring 3 may call must have a wrapper above.
        .macro  GATE_CHECK name, num, ring, dpl, handler
        .if     \dpl == RING_USER
        .ifndef \name\()_WRAPPED
        .error  "gate \name is callable from ring 3 but sys.s has no wrapper for it"
        .endif
        .endif
        .endm
        GATE_LIST GATE_CHECK

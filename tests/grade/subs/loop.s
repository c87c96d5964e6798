_start: j _start

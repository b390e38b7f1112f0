; loop.s - counts in r2 forever, storing the count at `counter`.
start:  movi    r1, 0
        la      r3, counter
loop:   addi    r2, r2, 1
        stw     r2, 0(r3)
        jmp     loop
        .align  4
counter: .word  0

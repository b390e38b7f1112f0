; alu.s - benchmark: the sum of 1..N in a tight loop (three instructions
; per iteration, no memory access).  Run with --max-instructions.
        li      r3, 0x7FFFFFFF
        movi    r1, 1
        movi    r2, 0
loop:   add     r2, r2, r1
        addi    r1, r1, 1
        jne     loop, r1, r3
        halt

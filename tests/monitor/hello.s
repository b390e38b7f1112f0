; hello.s - prints a line through the console port, then halts.
        la      r1, msg
next:   ldb     r2, 0(r1)
        beq     r2, r0, done
        out     r2, 0
        addi    r1, r1, 1
        jmp     next
done:   halt
msg:    .asciz  "hi\n"

; array-sum.s - add up an array of words and print the sum (49).
;
;   visa examples/array-sum.s
        .equ    HC_PUTC, 1
        .equ    HC_PUTNUM, 3

        la      r1, array
        la      r2, array_end
        movi    r3, 0                   ; the sum
loop:   ldw     r4, 0(r1)
        add     r3, r3, r4
        addi    r1, r1, 4
        jne     loop, r1, r2
        movi    r0, HC_PUTNUM
        mov     r1, r3
        hypercall
        movi    r0, HC_PUTC
        movi    r1, '\n'
        hypercall
        halt

        .align  4
array:  .word   3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 10
array_end:

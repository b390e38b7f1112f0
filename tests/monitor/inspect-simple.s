; inspect-simple.s - a small guest without paging, for the inspect tests
start:
        movi r1, 3
        movi r2, 0
loop:
        addi r2, r2, 1
        subi r1, r1, 1
        bne r1, r0, loop
        la r4, msg
        movi r0, 2              ; hypercall 2: puts
        mov r1, r4
        hypercall
        halt
msg:    .asciz "hi\n"
        .align 4
table:  .word 1, -2, 0x7fffffff
        .byte 0x41, 0x42, 0x43, 0

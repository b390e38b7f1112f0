; prog.s - visa-as test program: original vISA syntax, labels, data.
        .equ COUNT, 3
start:  movi r1, 255            ; original encoding: 0d 01 00 ff
        store r0, r5            ; 07 00 00 05
        load r1, r0             ; 06 01 00 00
        add r2, r0, r1          ; 01 02 00 01
        movi r6, COUNT
LOOP:   call INC_FUNC
        subi r6, r6, 1
        jne LOOP, r6, r0
        la r1, msg
        movi r0, 2              // hypercall 2: puts
        hypercall
        halt
INC_FUNC:
        addi r1, r1, 1
        ret
msg:    .asciz "hi\n"
        .align 4
table:  .word 0x12345678, msg

; illegal.s - a guest runs a word that is no instruction (opcode 0x25).
; It takes an illegal exit (qualification = the word) and is BLOCKED.
;
;   visa examples/illegal.s            exit status 1
        .equ    HC_PUTS, 2

        movi    r0, HC_PUTS
        la      r1, msg
        hypercall
        .word   0x25000000              ; opcode 0x25 is not assigned
        halt

msg:    .asciz  "about to run opcode 0x25...\n"

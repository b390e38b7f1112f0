; privileged.s - a guest tries a host-only instruction (vmenter).  It
; takes a privileged exit (qualification = the opcode, 0x30) and is BLOCKED.
;
;   visa examples/privileged.s         exit status 1
        .equ    HC_PUTS, 2

        movi    r0, HC_PUTS
        la      r1, msg
        hypercall
        vmenter r1                      ; host only
        halt

msg:    .asciz  "about to run vmenter in a guest...\n"

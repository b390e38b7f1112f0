; two-guests.s - count to 5, printing each step with this guest's id.
; Run two copies side by side and the round-robin scheduler interleaves
; them (a timer exit every 2 instructions by default):
;
;   visa examples/two-guests.s examples/two-guests.s
        .equ    HC_PUTC, 1
        .equ    HC_PUTS, 2
        .equ    HC_PUTNUM, 3
        .equ    PORT_GUEST_ID, 2

        in      r5, PORT_GUEST_ID       ; r5 = which guest am I?
        movi    r6, 1                   ; the counter
        movi    r7, 6                   ; one past the last value
loop:   movi    r0, HC_PUTS
        la      r1, guest
        hypercall                       ; "guest "
        movi    r0, HC_PUTNUM
        mov     r1, r5
        hypercall                       ; N
        movi    r0, HC_PUTS
        la      r1, counts
        hypercall                       ; " counts "
        movi    r0, HC_PUTNUM
        mov     r1, r6
        hypercall                       ; K
        movi    r0, HC_PUTC
        movi    r1, '\n'
        hypercall
        addi    r6, r6, 1
        jne     loop, r6, r7
        halt

guest:  .asciz  "guest "
counts: .asciz  " counts "

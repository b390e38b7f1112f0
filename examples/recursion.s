; recursion.s - 10! computed by a recursive function that keeps its
; argument on the stack (push/pop, call/ret; sp starts at 0x4000).
;
;   visa examples/recursion.s          prints 3628800
        .equ    HC_PUTC, 1
        .equ    HC_PUTNUM, 3

        movi    r1, 10
        call    fact                    ; r2 = 10!
        movi    r0, HC_PUTNUM
        mov     r1, r2
        hypercall
        movi    r0, HC_PUTC
        movi    r1, '\n'
        hypercall
        halt

; fact: r2 = r1!  (r1 is preserved; r3 is scratch)
fact:   movi    r3, 2
        jltu    base, r1, r3            ; 0! = 1! = 1
        push    r1
        subi    r1, r1, 1
        call    fact                    ; r2 = (r1 - 1)!
        pop     r1
        mul     r2, r2, r1
        ret
base:   movi    r2, 1
        ret

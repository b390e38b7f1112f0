; fib.s - benchmark: call-heavy recursion, fib(n) = fib(n-1) + fib(n-2),
; computed over and over.  Run with --max-instructions.
again:  movi    r1, 24
        call    fib
        jmp     again

; fib: r2 = fib(r1); r1 preserved, r3 scratch
fib:    movi    r3, 2
        jltu    small, r1, r3
        push    r1
        subi    r1, r1, 1
        call    fib
        push    r2
        subi    r1, r1, 1
        call    fib
        pop     r3
        add     r2, r2, r3
        pop     r1
        ret
small:  mov     r2, r1
        ret

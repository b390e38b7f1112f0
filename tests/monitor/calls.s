; calls.s - a subroutine called twice, then halt.
start:  movi    r1, 3
        call    double
        call    double
        movi    r0, 4               ; exit with code r1
        hypercall
double: add     r1, r1, r1
        nop
        ret

; hello.s - print a greeting twice: once through the console port (full
; virtualization: every `out` is an I/O exit the hypervisor emulates) and
; once with the puts hypercall (paravirtualization: one exit in all).
;
;   visa examples/hello.s
        .equ    CONSOLE, 0              ; I/O port 0: the console
        .equ    HC_PUTS, 2              ; hypercall 2: puts(r1)

start:  la      r1, msg1                ; r1 walks the string
        movi    r9, 0
loop:   ldb     r2, 0(r1)
        jeq     done, r2, r9            ; stop at the NUL
        out     r2, CONSOLE
        addi    r1, r1, 1
        jmp     loop
done:   movi    r0, HC_PUTS
        la      r1, msg2
        hypercall
        halt

msg1:   .asciz  "Hello from vISA, through the console port!\n"
msg2:   .asciz  "Hello again, through the puts hypercall.\n"

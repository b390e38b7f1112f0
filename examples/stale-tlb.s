; stale-tlb.s - the TLB is architectural: change a PTE without tlbflushv
; and the guest keeps using the old translation until it flushes.
;
; VPN 1 first maps frame 0 (VA 0x1234 -> GPA 0x0234, which holds 1111);
; then the guest rewrites that PTE to frame 1 (VA 0x1234 -> GPA 0x1234,
; which holds 2222).  The read right after still gives 1111 (stale TLB
; entry); after tlbflushv it gives 2222.
;
;   visa examples/stale-tlb.s          prints 1111, 1111, 2222
        .equ    HC_PUTC, 1
        .equ    HC_PUTNUM, 3
        .equ    PT, 0x2000

        li      r1, PT
        movi    r2, 0x0007              ; VPN 0 -> frame 0, P W X (code)
        stw     r2, 0(r1)
        movi    r2, 0x0001              ; VPN 1 -> frame 0, P
        stw     r2, 4(r1)
        movi    r2, 0x2003              ; VPN 2 -> frame 2, P W (the table)
        stw     r2, 8(r1)
        li      r2, 0x3003              ; VPN 3 -> frame 3, P W (the stack)
        stw     r2, 12(r1)
        li      r1, PT | 1
        ldpgtr  r1                      ; paging on (flushes the TLB)

        li      r3, 0x1234
        ldw     r1, 0(r3)               ; 1111, and the TLB caches VPN 1
        call    print
        li      r2, 0x1001              ; VPN 1 -> frame 1, P
        li      r4, PT + 4
        stw     r2, 0(r4)               ; VA 0x2004 = GPA 0x2004: the PTE
        ldw     r1, 0(r3)               ; still 1111: the stale entry
        call    print
        tlbflushv
        ldw     r1, 0(r3)               ; 2222: a fresh walk
        call    print
        halt

; print: putnum(r1), then a newline (r0 and r1 are clobbered)
print:  movi    r0, HC_PUTNUM
        hypercall
        movi    r0, HC_PUTC
        movi    r1, '\n'
        hypercall
        ret

        .org    0x234
        .word   1111
        .org    0x1234
        .word   2222

; memory.s - benchmark: passes of a[j] += 1 over 8 KiB of words with
; paging on, so every access is translated through the guest page table
; and the EPT (via the TLB).  Run with --max-instructions.
        .equ    PT, 0x3000
        li      r1, PT
        movi    r2, 0x0007              ; VPN 0 -> frame 0 (code), P W X
        stw     r2, 0(r1)
        li      r2, 0x1003              ; VPN 1 -> frame 1, P W
        stw     r2, 4(r1)
        li      r2, 0x2003              ; VPN 2 -> frame 2, P W
        stw     r2, 8(r1)
        li      r1, PT | 1
        ldpgtr  r1
        li      r5, 0x3000              ; end of the array
pass:   li      r1, 0x1000              ; start of the array
loop:   ldw     r2, 0(r1)
        addi    r2, r2, 1
        stw     r2, 0(r1)
        addi    r1, r1, 4
        jne     loop, r1, r5
        jmp     pass

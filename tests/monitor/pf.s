; pf.s - paging on, identity map of VPN 0, then writes to two unmapped
; pages: 0x5000 (low) and 0x3FF000 (high).  Each write blocks the guest
; with a page fault until someone maps the page.
        .equ    PT, 0x2000
        li      r1, PT
        movi    r2, 0x0007          ; VPN 0 -> frame 0, P W X
        stw     r2, 0(r1)
        li      r1, PT | 1
        ldpgtr  r1
        li      r3, 0x5000
low:    stw     r2, 0(r3)           ; page fault: write, not present
        li      r3, 0x3FF000
high:   stw     r2, 0(r3)           ; page fault at 0x3ff000
        halt

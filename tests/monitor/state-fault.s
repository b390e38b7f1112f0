; state-fault.s - turns paging on, then reads a page it never mapped: the
; guest blocks on a page fault until the monitor maps the page and
; resumes it.
;   VPN 0 -> GPA 0x0000  P W X A   code (PTE at GPA 0x2000)
;   VPN 5    not present           (PTE at GPA 0x2014)
start:
        movi r1, 0x2001
        ldpgtr r1               ; paging on, root GPA 0x2000
        movi r2, 0x5000
        ldw r3, 4(r2)           ; VA 0x5004: page fault until VPN 5 is mapped
        halt

        .org 0x2000
        .word 0x00000027

        .org 0x3000
        .word 0x11111111, 0xcafef00d

; inspect-paging.s - a guest that builds its own page table at GPA 0x2000,
; turns paging on, touches a data page and then rewrites one of its PTEs
; behind the TLB's back (so that TLB entry 1 goes stale).
;
;   VPN 0  -> GPA 0x0000  P W X A   code
;   VPN 1  -> GPA 0x1000  P W       data (no X)
;   VPN 2  -> GPA 0x3000  P         read-only, no X
;   VPN 3     not present
;   VPN 4  -> GPA 0x5000  P W       beyond the 16 KiB of guest memory
;   VPN 5  -> GPA 0x3000  P W
;   VPN 6  -> GPA 0x2000  P W       the page table itself
        .equ PT, 0x2000
start:
        movi r1, PT | 1
        ldpgtr r1               ; paging on
        movi r2, 0x1000
        ldw r3, 0(r2)           ; VPN 1: sets A, fills TLB entry 1
        stw r3, 4(r2)           ; sets D
        movi r4, 0x6000         ; the page table through VPN 6
        movi r5, 0x3003
        stw r5, 4(r4)           ; VPN 1 -> GPA 0x3000 now; TLB entry 1 is stale
        halt

        .org 0x1000
data:   .word 0x11223344

        .org PT
        .word 0x00000027
        .word 0x00001003
        .word 0x00003001
        .word 0
        .word 0x00005003
        .word 0x00003003
        .word 0x00002003

        .org 0x3000
ro:     .asciz "read-only"

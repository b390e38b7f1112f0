; paging.s - turn paging on with our own page table, then read through a
; mapping where VA 0x1234 reaches GPA 0x0234 (the classic example).
;
; Guest-physical layout (16 KiB, four 4 KiB frames):
;   frame 0 (0x0000) code and data      frame 2 (0x2000) the page table
;   frame 3 (0x3000) the stack
; Page table (PTE = frame GPA | flags; P=1 W=2 X=4):
;   VPN 0 -> frame 0, P W X   (identity: the code keeps running)
;   VPN 1 -> frame 0, P       (VA 0x1000-0x1FFF reads frame 0, read-only)
;   VPN 3 -> frame 3, P W     (the stack)
;
;   visa examples/paging.s             then try it in the monitor:
;   visa -i examples/paging.s          (translate 0x1234, pt, tlb)
        .equ    HC_PUTS, 2
        .equ    PT, 0x2000

        li      r1, PT
        movi    r2, 0x0007              ; VPN 0 -> frame 0, P W X
        stw     r2, 0(r1)
        movi    r2, 0x0001              ; VPN 1 -> frame 0, P
        stw     r2, 4(r1)
        li      r2, 0x3003              ; VPN 3 -> frame 3, P W
        stw     r2, 12(r1)
        li      r1, PT | 1              ; PTBR = root | 1: paging on
        ldpgtr  r1                      ; a cr_write exit installs it

        li      r3, 0x1234
        ldw     r4, 0(r3)               ; through the mapping
        li      r3, 0x0234
        ldw     r5, 0(r3)               ; the same word, identity-mapped
        la      r1, same
        jeq     print, r4, r5
        la      r1, differ
print:  movi    r0, HC_PUTS
        hypercall
        halt

same:   .asciz  "VA 0x1234 and VA 0x0234 read the same word: both reach GPA 0x0234\n"
differ: .asciz  "VA 0x1234 and VA 0x0234 differ: the mapping is wrong\n"

        .org    0x234
        .word   0xCAFEF00D

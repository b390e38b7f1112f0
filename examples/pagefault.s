; pagefault.s - paging on, then a read from a page that is not mapped.
; The guest takes a page_fault exit and is BLOCKED; the VMCS records the
; faulting VA (0x5000) and a qualification of 0x01 (read, not present).
;
;   visa examples/pagefault.s          exit status 1: the guest is blocked
;   visa -i examples/pagefault.s       then: break exit page_fault,
;                                      continue, vmcs, translate 0x5000,
;                                      map 0x5000 0x1000, resume 1, continue
        .equ    HC_PUTS, 2
        .equ    PT, 0x2000

        li      r1, PT
        movi    r2, 0x0007              ; VPN 0 -> frame 0, P W X
        stw     r2, 0(r1)
        li      r1, PT | 1
        ldpgtr  r1                      ; paging on
        movi    r0, HC_PUTS
        la      r1, before
        hypercall
        li      r3, 0x5000              ; VPN 5: no PTE
        ldw     r4, 0(r3)               ; page fault: read, not present
        movi    r0, HC_PUTS
        la      r1, after
        hypercall
        halt

before: .asciz  "paging is on; reading VA 0x5000...\n"
after:  .asciz  "the read went through: someone mapped the page\n"

# guests: inspect-simple.s inspect-paging.s
# status: 1
# pt: each present PTE with VPN, VA range, frame GPA and flags P W X A D;
# ept: each guest frame's host frame, HPA and R W X, and changing them;
# tlb: valid entries (stale ones marked) and hit/miss counts.
set on-error continue
pt
pt 2
continue
pt 1
# hand-made from inspect-paging.s: VPN 1 was rewritten to 0x3003 by the
# guest, VPN 6 has A and D from the guest's store through it
pt 2
ept 1
# guest 2's frames are host frames 4-7 (guest 1 took 0-3)
ept 2
# TLB: 7 fetches with paging on (0x8-0x20) and 3 data accesses; misses:
# fetch 0x8 (VPN 0), ldw 0x1000 (VPN 1), stw 0x1004 (D clear: walks
# again), stw 0x6004 (VPN 6): 4 misses, 6 hits.  Entry 1 still maps VPN 1
# to guest frame 1 (host frame 5) although the PTE now says frame 3: stale.
tlb 2
tlb 1
# permission changes flush the TLB
ept 2 3 -w
ept 2 3 -rx
ept 2 3 +rwx
ept g2 0 -x +x -w
ept 2 0 +w
tlb 2
ept 1 -w
ept 1 +w
ept
# errors
ept 2 4 -w
ept 2 1
ept 2 1 +q
ept 3 1 -w
ept 2 1 -w 3
pt 7
tlb 1 2

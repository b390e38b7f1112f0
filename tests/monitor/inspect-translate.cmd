# guests: inspect-simple.s inspect-paging.s
# status: 1
# translate [GUEST] VA [r|w|x]: the two-stage walk step by step, checked
# against walks computed by hand from machine.md section 4 and the page
# table in inspect-paging.s (root GPA 0x2000; guest 2 owns host frames
# 4-7, so HPA = GPA + 0x4000).  After the run, VPN 1's PTE is 0x00003003
# (the guest rewrote it) while TLB entry 1 still caches host frame 5.
set on-error continue
continue
# present, read: PTE 0x3003 has A clear, so the walk would write 0x3023
# (2 references); the guest itself would still use the stale TLB entry
translate 2 0x1234
# present, write through the same stale entry (it allows W and has D=1)
translate 2 0x1234 w
# present, fetch: VPN 0, PTE 0x27 (A already set: 1 reference), TLB hit
xlate 2 0x10 x
# not present: VPN 3, PTE at 0x200c is 0 -> qualification 0x01
translate 2 0x3000
# read-only page, write: VPN 2, PTE 0x3001 has W=0 -> 0x02|0x08 = 0x0a
translate 2 0x2010 w
# no-execute page, fetch: VPN 1, PTE 0x3003 has X=0 -> 0x04|0x08 = 0x0c
translate 2 0x1000 x
# beyond 4 MiB with paging on: no VPN, 0x01|0x20 = 0x21
translate 2 0x400000
# `translate 2 -1` is guest 2, VA 0xffffffff
translate 2 -1
# stage 2: VPN 4 maps GPA 0x5000, beyond the 16 KiB of guest memory:
# 0x01|0x10 = 0x11 with GPA 0x5000
translate 2 0x4000
# translate changed nothing: no A/D bit, no TLB fill, no counter
pt 2
tlb 2
# stage 2 protection on the final GPA: frame 3 loses W; VPN 5 -> GPA
# 0x3000: 0x02|0x08|0x10 = 0x1a, GPA 0x3008
ept 2 3 -w
translate 2 0x5008 w
ept 2 3 +w
# stage 2 on the walk's own A write: frame 2 (the page table) loses W;
# VPN 2's PTE 0x3001 has A clear: the PTE write faults, GPA 0x2008
ept 2 2 -w
translate 2 0x2000
# stage 2 on the PTE read: frame 2 loses R: 0x01|0x08|0x10 = 0x19, GPA
# 0x2000 (the PTE of VPN 0)
ept 2 2 +w -r
translate 2 0x10
ept 2 2 +r
# paging off: VA = GPA, then only the EPT step
translate 1 0x234
translate 1 0x4000 w
# the focused guest and symbols
guest 2
translate data+4 w
# errors
translate
translate 3 0x10
translate 2 nosuchsymbol
translate 2 0x10 q

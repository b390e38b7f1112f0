# guests: state-fault.s inspect-simple.s
# status: 1
# map [GUEST] VA GPA [FLAGS] / unmap [GUEST] VA: write the guest's PTE
# (root GPA 0x2000: the PTE of VPN 5 is at 0x2000 + 4*5 = 0x2014) and
# flush its TLB; an error when paging is off.  The classic repair: the
# guest blocks on a page fault at VA 0x5004, the monitor maps the page and
# resumes it.
set on-error continue
continue
vmcs
translate 0x5004
# GPA 0x3000 | P W X = 0x00003007
map 0x5004 0x3000
pt
translate 0x5004
x/2xw 0x5000
resume 1
continue
print r3
# read-only: only P (0x3001); the guest's TLB was flushed by map
map 1 0x5000 0x3000 r
translate 1 0x5000 w
tlb
map g1 0x7000 0x1000 x
unmap 1 0x7000
unmap 0x5000
translate 0x5000
pt 1
# errors
map 2 0x1000 0x1000
unmap 2 0x1000
map 0x1000
map 0x1000 0x2004
map 0x400000 0x1000
map 3 0x1000 0x1000 wx
map 1 0x1000 0x1000 wx 9
unmap
unmap 1 0x400000
unmap 1 0x1000 2

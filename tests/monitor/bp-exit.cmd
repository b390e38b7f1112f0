# guests: pf.s pf.s
# A conditional exit breakpoint fires on the right fault only.
break exit page_fault guest 2 if va >= 0x3F0000
continue
map 1 0x5000 0x1000
map 2 0x5000 0x1000
resume 1
resume 2
continue
print guest
print va
print cause == page_fault
continue
info breakpoints
map 2 0x3ff000 0x1000
resume 2
break exit halt
continue
info breakpoints

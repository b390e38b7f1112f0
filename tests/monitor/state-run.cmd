# guests: inspect-simple.s state-fault.s
# status: 1
# slice, guest (g), pause, resume, reset
set on-error continue
slice
slice 5
slice 2 3
slice
slice g2 default
slice
guest
guest 2
g 1
pause 2
info guests
continue
resume 2
continue
# guest 2 is BLOCKED on its page fault: pause it, then resume re-runs the
# faulting instruction, which faults again
pause 2
resume g2
continue
reset 1
info guests
reset
info guests
# errors
slice 0
slice 0x80000001
slice 3 4
slice 1 nosuch
slice 1 2 3
guest 3
guest 1 2
pause
pause 1 2
pause 7
pause 1
pause 1
resume 2
reset 4
reset 1 2
continue
resume 1

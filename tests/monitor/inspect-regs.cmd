# guests: inspect-simple.s inspect-paging.s
# status: 1
# regs: r0-r31 in four columns, registers changed since the last stop
# marked with *, then pc, sp, state and PTBR (paging on or off).
set on-error continue
regs
set step-print off
step 3
# movi r1, 3; movi r2, 0; addi r2, r2, 1: r1 and r2 changed, pc 0 -> 0xc
regs
continue
# guest 2 turned paging on with PTBR 0x2001
regs 2
info registers g2
# errors
regs 3
regs x
regs 1 2
info registers 5

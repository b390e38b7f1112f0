# guests: loop.s calls.s
# status: 1
# tick: the whole machine in scheduler order, every instruction and exit.
set on-error continue
tick 6
set step-print off
tick 3
set step-print on
break exit hypercall
tick 100
tick 0
tick -

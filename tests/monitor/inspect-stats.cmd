# guests: inspect-simple.s inspect-paging.s
# status: 1
# stats [reset]: per guest and total.  Hand count: guest 1 runs 16
# instructions with 7 timer, 1 hypercall and 1 halt exit (9; 562.5 per
# 1000); guest 2 runs 9 with 4 timer, 1 cr_write, 1 halt (6; 666.7) and
# 6 TLB hits out of 10 lookups.
set on-error continue
stats
continue
stats
info exits
# reset only remembers the counters: the machine keeps them (vmcs, tlb)
stats reset
stats
tlb 2
reset
set step-print off
step 3
stats
# errors
stats foo
stats reset now

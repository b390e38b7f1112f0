# guests: loop.s
# status: 1
# continue, run, and the budget-free stop reports (monitor.md "Running").
set on-error continue
break loop
run
print r2
continue
print r2
# continue N ignores the breakpoint just hit N-1 more times
continue 3
print r2
info breakpoints
c
print r2
# run resets the guests that have run
run
print r2
delete
tbreak *0x10
c
# errors
continue 0
continue x
continue (1
run now

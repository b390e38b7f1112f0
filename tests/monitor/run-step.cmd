# guests: calls.s
# status: 1
# step, next, finish and step-print (monitor.md "Running").
set on-error continue
step
step
finish
next
print r1
reset
next 2
step 2
step
set step-print off
step 3
set step-print on
# a breakpoint stops a step; stepping from it goes on
break double
run
step
finish
step 0
step x
next 1/0
finish now
step 5
step
next
finish

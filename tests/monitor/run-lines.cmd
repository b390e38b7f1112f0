# guests: ../../examples/pagefault.s ../../examples/two-guests.s
# With several guests, console output is line-buffered per guest: a stop
# in guest 1 must not split guest 2's half-written line "guest 2 counts 1"
# (the README's first session).
break exit page_fault
continue
map 0x5000 0x1000 w
resume 1
continue

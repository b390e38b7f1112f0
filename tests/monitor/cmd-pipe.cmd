# guests: calls.s
# mode: pipe
# status: 4
# Commands piped into visa -i: no prompt, no echo, an error does not stop.
step
print pc
frobnicate
print r1

quit 4

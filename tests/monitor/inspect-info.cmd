# guests: inspect-simple.s state-fault.s
# status: 1
# info guests|breakpoints|symbols|registers|exits (unique prefixes work)
set on-error continue
info guests
continue
info guests
info symbols
info symbols 2
info sym g1
info breakpoints
info registers 2
info exits
# errors
info
info foo
info guests 1
info symbols 3
info symbols 1 2

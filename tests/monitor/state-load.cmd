# guests: inspect-simple.s
# status: 1
# load IMAGE adds a guest (assembled on load); console output is prefixed
# with [gN] once there is more than one guest.  input GUEST TEXT queues
# TEXT plus a newline (C escapes allowed).
set on-error continue
load state-echo.s
info guests
input 2 hello\tworld
input 2 "  two"
continue
ept 2
# errors
load
load nosuchfile.s
load a b
input 2
input 5 x
input 2 bad\q
input
info guests

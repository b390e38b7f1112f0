# guests: calls.s
# status: 1
# assert, echo, comments and blank lines (monitor.md "Scripts").

step
assert pc == 4
assert pc == 8 "pc after one step"
assert r1 == 3
assert r1 == 4
echo still here: the script goes on after a failed assert
echo tab\there, hex \x41, octal \101, quote \"
echo "  padded  "
echo gdb style\n
echo no newline\c
echo
set on-error continue
assert
assert (1
assert 1 "unterminated
assert 0 "two" "strings"
assert 0 "esc\x41ped"

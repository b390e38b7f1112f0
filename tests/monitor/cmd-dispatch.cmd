# guests: calls.s
# status: 1
# Prefixes, aliases, ambiguity, "did you mean", help.
set on-error continue
hel
h step
help ste
help xlate
help nosuch
help a b
s
n
p r1
i breakpoints
st
di
stpe
brek
frobnicate
step/x
echo "unterminated
   # only a comment

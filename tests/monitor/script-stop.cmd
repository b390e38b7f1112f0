# guests: calls.s
# status: 1
# A failing command stops the script (on-error stop is the default).
step
frobnicate
echo not reached

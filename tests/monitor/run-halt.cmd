# guests: calls.s hello.s
# status: 1
# Guests that halt or exit: the stop report, then nothing left to run.
continue
info guests
continue

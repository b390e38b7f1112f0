# guests: loop.s
# status: 1
# watch: stop after a write changes a word; errors.
set on-error continue
watch counter
continue
continue
info breakpoints
set mem counter 77
continue
delete
watch 0x14 guest 1
continue 2
watch
watch 0 guest 9
watch 0 if 1
watch nosuch

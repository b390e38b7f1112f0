# guests: inspect-simple.s inspect-paging.s
# status: 1
# timeline [N]: the last N slices (default 20): guest, instructions, why
# it left.  Slice 2, two guests: g1 g2 alternate until g2 halts after 1
# instruction of its fifth slice; g1 then runs alone (a timer exit still
# ends each slice) until its halt.
set on-error continue
timeline
continue
timeline
timeline 3
timeline 100
slice 3
reset
continue
timeline 4
# errors
timeline 0
timeline nosuch

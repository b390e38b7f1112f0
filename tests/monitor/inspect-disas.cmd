# guests: inspect-simple.s
# status: 1
# disas [ADDR [N]]: address, <symbol+offset>, bytes, instruction; => at pc
set on-error continue
disas
disas loop 3
disas msg-4 1
set step-print off
step 4
disas
disas 0x0 2
# errors
disas 0x3ff8 4
disas 0 0
disas nosuch

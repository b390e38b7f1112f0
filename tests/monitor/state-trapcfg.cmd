# guests: state-trap.s state-trap.s
# status: 1
# trapcfg [GUEST] [+-cr] [+-io]: with a trap control off, the instruction
# takes effect without a VM exit (same output, nothing counted).
set on-error continue
trapcfg
trapcfg 2 -io -cr
trapcfg 2
continue
# g1: io 1, cr_write 1; g2: none of either
stats
regs 2
trapcfg +io +cr_write
trapcfg -io
trapcfg 1 +io
# errors
trapcfg +mmu
trapcfg 3
trapcfg 1 io

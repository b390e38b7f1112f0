# guests: state-fault.s state-trap.s
# status: 1
# vmcs: guest state, host state (EPT), execution controls, exit information
# (qualification in hex and decoded) and exit counts.
set on-error continue
# before any exit
vmcs 2
continue
# guest 1 blocked on a page fault: read of VA 0x5004 (qualification 0x01)
vmcs
# guest 2 halted; its other exits were io, cr_write and timer
vmcs 2
# an I/O exit: out r1, 1 is port 1 (decimal), direction out
reset 2
guest 2
step 2
vmcs 2
# a CR_WRITE exit carries the new PTBR
step 2
vmcs 2
# errors
vmcs 0
vmcs 1 2

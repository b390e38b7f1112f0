# guests: inspect-simple.s
# status: 1
# set reg / set pc / set mem[/b|w] / set phys[/b|w] / set on-error /
# set step-print.  A VALUE (the last argument) may contain spaces.
set on-error continue
set reg r1 0x10 + 2
set reg $r2 -1
set reg sp 0x3000
set pc loop
regs
set mem 0x100 0x11223344
set mem/b 0x104 0xff
set mem/b 0x105 -1
set mem/w 0x108 table
x/3xw 0x100
set phys 0x200 0xabcdef01
set phys/b 0x203 0x02
xp/xw 0x200
x/xw 0x200
set step-print off
step 2
set step-print on
step
set on-error stop
set on-error continue
# errors: the machine is unchanged after each
set reg r40 1
set reg r05 1
set reg pc
set reg r1 nosuch
set pc
set mem/b 0x106 0x100
set mem/h 0x106 1
set mem 0x3ffe 1
set mem 0x100
set phys 0x4000 1
set reg/b r1 1
set foo 1
set
set on-error
set on-error maybe
set step-print sometimes
x/3xw 0x100
regs

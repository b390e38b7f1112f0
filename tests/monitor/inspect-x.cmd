# guests: inspect-simple.s inspect-paging.s
# status: 1
# x/NFU ADDR and xp/NFU GPA: formats x d u c s i, units b h w, defaults
# x/1xw; the last format is remembered and `x` alone goes on after the
# last address.  table = 0x2c: .word 1, -2, 0x7fffffff; .byte 'A' 'B' 'C' 0
set on-error continue
x table
x/4xw table
x
x/2xb table
x/3xh table
x/3dw table
x/3uw table
x/2db table+4
x/4c table+12
x/2s msg
x/3i loop
# remembered: format d, unit b (the last numeric ones); count 1
x/d table+5
x table+5
# xp: guest-physical (no symbols); the same bytes while paging is off
xp/2xw 0x2c
x
# guest 2 with paging on: VA 0x1000 is still served by the stale TLB
# entry (host frame 5: GPA 0x1000), as the guest itself would see it;
# the page table now says GPA 0x3000, where "read-only" lives
continue
guest 2
x/xw 0x1000
xp/xw 0x1000
xp/s 0x3000
x/s 0x5000
# errors (nothing printed but the message)
x/4q 0
x/0x 0
x/4sh 0
x/2ib 0
x/2xw 0x3ffc
x/xw 0x3000
xp/1xw 0x4000
x/xw nosuch
x/xw (1

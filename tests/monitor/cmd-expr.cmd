# guests: calls.s
# status: 1
# print EXPR: precedence, registers, symbols, memory, errors.
set on-error continue
step
print 1 + 2 * 3
print (1 + 2) * 3
print 1 << 4 + 1
print 0xFF & 0x0F | 0x30
print ~0
print -1
print !5 + !0
print 3 > 2 == 1
print 0 && 1 / 0
print 0b1010 + 010 + 'A'
print r1 + $r1 + R1
print sp
print $pc
print double
print *double
print *(double + 8)
print state == RUNNING
print page_fault + pf + BLOCKED
print guest
print 1 / 0
print 5 % (2 - 2)
print nosuch
print $nosuch
print 1 +
print 1 @ 2
print *0x5000
print 0x
print 0b2
print 99999999999999
print ((1)
print (1))
print 'ab'
print

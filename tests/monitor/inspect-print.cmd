# guests: inspect-simple.s
# status: 1
# print EXPR (p): hex and decimal (and signed when negative)
set on-error continue
print 1+2
p -1
print table
print (table + 4) * 2
p 'A'
print sp
print *table
# errors
print
print 1/0
print nosuch

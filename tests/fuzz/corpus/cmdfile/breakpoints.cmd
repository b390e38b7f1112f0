# breakpoints with commands, conditions and a run
break fact if r1 == 3
commands 1
  silent
  print r1
  regs
  continue
end
break exit page_fault guest 2
tbreak spin guest 3
watch 0x40 guest 3
info breakpoints
continue
vmcs 2
translate 2 0x5000
map 2 0x5000 0x1000 w
resume 2
continue 3
delete 1
ignore 2 5
condition 2 cause == page_fault
disable 2
enable 2
tick 20
step 5
next
finish
stats
timeline 5
assert r2 == 3628800 "factorial"
quit 3

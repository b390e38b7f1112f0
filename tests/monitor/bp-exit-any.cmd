# guests: hello.s
# break exit any / a cause, with commands that print the exit.
break exit any
commands
print cause
end
continue
delete
break exit io if qual == 0
continue
continue
print r2
delete
break exit halt
continue

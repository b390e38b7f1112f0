# guests: loop.s loop.s
# status: 1
# break, tbreak, delete, disable, enable, ignore, condition (monitor.md
# "Stopping") and their errors.
set on-error continue
break loop
break *0x10 guest 2
break 0xc if r2 == 3
tbreak start
info breakpoints
run
c
c
c
print r2
info breakpoints
disable 1 2
c
print r2
enable
delete 3
ignore 1 2
c
print r2
condition 1 r2 == 10
c
print r2
condition 1
info breakpoints
delete 1-2
info breakpoints
break
info breakpoints
# errors
break 0x11
break nosuch
break loop guest 3
break loop guest
break loop if
break loop if (
break loop frob
break exit
break exit nosuch
tbreak
delete 9
delete x
delete 3-1
disable 9
enable 1.5
ignore 9 1
ignore 1
ignore x 1
condition 9 1
condition 5 ((
condition

# guests: loop.s
# args: --max-instructions=40
# status: 1
# commands N ... end: run after the stop report; silent; a list that
# resumes; errors; end of file inside commands is an error.
break loop
commands 1
  print r2
  # comments are skipped
end
continue
continue
info breakpoints
commands
silent
print r2 * 100
continue
end
continue
info breakpoints
commands 1
end
info breakpoints
set on-error continue
commands 7
commands 1 2
commands x
commands 1
print 1

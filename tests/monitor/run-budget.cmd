# guests: loop.s
# args: --max-instructions=500
# status: 1
# --max-instructions bounds runs from command files.
continue
print r2
step

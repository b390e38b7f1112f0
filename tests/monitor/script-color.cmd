# guests: calls.s
# args: --color=always
# status: 1
# --color=always: "error:" in bold red, the "=>" marker at pc in bold
# green, changed registers in bold yellow (SGR escapes); without it (the
# other tests) there are none.
step
regs
disas
nosuchcommand

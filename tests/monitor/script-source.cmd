# guests: calls.s
# status: 1
# source: nesting, FILE:LINE errors, the depth limit, on-error.
source script-nested.inc
print pc
set on-error continue
source script-self.inc
source no-such-file.cmd
source
echo done

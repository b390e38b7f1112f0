# guests: calls.s
# status: 3
# quit N leaves with status N; nothing after it runs.
set on-error continue
quit 1 2
quit 300
quit 3
echo not reached

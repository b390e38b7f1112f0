; errors.s - three mistakes
start:	movi r1, 70000
	mvoi r2, 1
	nop
	jmp	nowhere

; state-trap.s - one I/O instruction and one page-table root write, each a
; VM exit only while its trap control is on
start:
        movi r1, 42
        out r1, 1               ; prints 42
        movi r1, 0x2001
        ldpgtr r1               ; paging on
        halt

        .org 0x2000
        .word 0x00000027

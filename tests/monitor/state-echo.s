; state-echo.s - echoes its console input until there is none left
start:
        li r2, 0xffffffff       ; what `in` reads when there is no input
loop:
        in r1, 0
        beq r1, r2, done
        out r1, 0
        b loop
done:
        halt

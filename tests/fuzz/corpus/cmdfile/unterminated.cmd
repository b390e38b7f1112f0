break main
commands 1
  echo never ends\n
  print 1/0

a = [2, 3, -1] from 9223372036854775807
-(-2 * a)
format csv
a

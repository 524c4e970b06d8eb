(@ T v)

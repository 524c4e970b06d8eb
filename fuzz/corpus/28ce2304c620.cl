(lesson 3)

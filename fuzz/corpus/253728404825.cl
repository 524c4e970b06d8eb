`=` and the answer after the question

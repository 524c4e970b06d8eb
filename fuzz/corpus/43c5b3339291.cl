to write a pair, use parentheses: `(0, 1)`; statements are separated by `;` or a new line

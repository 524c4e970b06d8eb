a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; export steps conv(a, b) to "steps.md"; export conv(a, b) to "steps.json"

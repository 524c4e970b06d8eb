out[1, 2] = g·w + h·x + k·y + l·z

pause

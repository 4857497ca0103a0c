"""Work that runs on a clock inside the bot process: the check-in dispatcher."""

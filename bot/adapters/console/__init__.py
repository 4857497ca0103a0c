"""The terminal front end: the same engine and storage as the bot, in a shell."""

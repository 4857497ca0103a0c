"""The user's own corner of the bot: help lines one tap away, their
safety plan, their journal read back, and the map of the guide they have walked.

Pure like the rest of the core: the service hands in what storage holds
(:class:`~bot.core.care.events.WithEntries`) and stores what comes out
(:class:`~bot.core.care.events.DeleteEntry`).
"""

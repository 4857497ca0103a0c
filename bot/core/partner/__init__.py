"""Linking two partners by consent: pure rules, events and words.

The link is built so it cannot become a tool of control: nothing is shared
unless its author taps to send it, nothing can be browsed, and every way out
is instant and silent. Storage is in :mod:`bot.storage.links`, the work
against it in :mod:`bot.service.partner`.
"""

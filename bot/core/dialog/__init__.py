"""Dialogs as data: schema, loader, content rules and the engine that runs them."""

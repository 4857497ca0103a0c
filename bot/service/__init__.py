"""Application services: run core turns against storage, for any front end."""

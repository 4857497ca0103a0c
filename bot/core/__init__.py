"""The pure core: dialog engine, FAQ matcher, safety check. No I/O, no clock."""

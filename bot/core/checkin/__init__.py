"""Morning check-ins: when they are due, pure of any clock or database."""

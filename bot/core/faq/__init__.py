"""Free-text questions: the FAQ content, and matching typed text against it."""

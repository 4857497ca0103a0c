"""Safety first: spotting danger in typed text, and the caring reply with real resources."""

"""Front ends: each turns its transport into core events and renders replies."""

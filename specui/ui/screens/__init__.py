"""Modal screens (confirmations, help)."""

"""Loading the project's own seed files (taxonomy, states, legality notes, listings)."""

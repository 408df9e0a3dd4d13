"""Every row of docs/errors.md, triggered: registry.py says how."""

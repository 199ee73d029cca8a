"""Helpers shared by several test folders (external tools, fixtures)."""

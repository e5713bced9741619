"""Indicator types: how an indicator gets its value (score, formula, group, and plugins')."""

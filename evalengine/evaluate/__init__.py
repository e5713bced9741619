"""Evaluation: the Decimal interpreter, functions, the engine and the result tree."""

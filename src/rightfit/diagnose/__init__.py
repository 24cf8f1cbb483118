"""Fit diagnosis: learning and validation curves, a verdict with evidence, remedies."""

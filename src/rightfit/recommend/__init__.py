"""Recommendation from user-item interactions."""

"""Specialists as data, and the small logic each one needs. No Qt here."""

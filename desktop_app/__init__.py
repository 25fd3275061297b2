"""Smallwise: private AI assistants that run entirely on the user's own computer."""

__version__ = "0.1.0"
APP_NAME = "Smallwise"

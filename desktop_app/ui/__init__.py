"""Widgets, views and the main window. Talks to services only, never to the engine or store."""

"""`smallwise serve`: an OpenAI-compatible API over the one conversation flow. No Qt here."""

"""Who may read and write: API keys, their checks and the bounds that keep wrong guesses cheap,
shared by the read API, the collector and the dashboard."""

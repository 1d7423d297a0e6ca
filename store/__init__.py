"""Data access with asyncpg: every SQL statement of Rapport lives in this package."""

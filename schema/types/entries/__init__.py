"""Timeline entries on the API: the TimelineEntry interface, one module per family of kinds,
how a stored row becomes one of them, and the timeline page."""

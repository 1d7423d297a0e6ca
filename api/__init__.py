"""The HTTP edge: app factory, settings, auth, routes and the command line."""

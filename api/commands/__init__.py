"""The `rapport` commands, one module per group; api/cli.py gathers them into one command line."""

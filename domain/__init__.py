"""Pure business rules: no I/O, no imports of our other rooms."""

"""Typed commands: one dataclass per change, in plain Python values, whoever asks for it."""

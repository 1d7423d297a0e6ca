"""Typed commands: one dataclass per change, in plain Python values, whoever asks for it.

schema/, the CSV import and the demo build them (ids already decoded, domain
enums, Decimals, dates); services/ carries them out.
"""

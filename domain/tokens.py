"""API tokens: random, shown once, stored only as a hash.

SHA-256 without a salt is right here: the tokens carry 256 bits of randomness,
so there is nothing to brute-force, and an unsalted hash can be looked up by
an index in one query.
"""

import hashlib
import secrets

PREFIX = "rpt_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()

"""Accounts as the business knows them: the states a customer relationship is in, and defaults."""

from enum import Enum


class AccountStatus(Enum):
    ACTIVE = "ACTIVE"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"


# What an account is until someone says otherwise: active, and in UTC when its zone is unknown.
DEFAULT_STATUS = AccountStatus.ACTIVE
DEFAULT_TIME_ZONE = "UTC"

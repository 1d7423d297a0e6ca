"""Contacts as the business knows them: what a person does for the customer, how to reach them."""

from enum import Enum


class ContactRole(Enum):
    BILLING = "BILLING"
    ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"
    DECISION_MAKER = "DECISION_MAKER"
    TECHNICAL = "TECHNICAL"
    OTHER = "OTHER"


class Channel(Enum):
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    SMS = "SMS"
    LETTER = "LETTER"
    MEETING = "MEETING"
    PORTAL = "PORTAL"

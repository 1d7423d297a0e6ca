"""How an amount reads to a person: in sentences the service writes and in Money on the API."""

from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")


def display_amount(amount: Decimal) -> Decimal:
    """Two decimals, or as many (up to the stored four) as the amount really has.

    An amount too large to quantize (only ever in input that validation will
    refuse) is shown as given.
    """
    try:
        cents = amount.quantize(CENTS)
    except InvalidOperation:
        return amount
    return cents if cents == amount else amount.normalize()

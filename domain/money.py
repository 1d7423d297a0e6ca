"""How an amount is shown to people: in summaries written to the timeline and in the API."""

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

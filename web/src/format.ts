// Words for what the API gives as codes, numbers and instants.

export function words(code: string): string {
  const text = code.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Grouped as the API's own sentences write it ("98,765.00 EUR"), from the decimal string: never a float. */
export function money(amount: { amount: string; currency: string }): string {
  const [whole, fraction] = amount.amount.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.slice(sign.length).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`} ${amount.currency}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(instant: string): string {
  return dateTime.format(new Date(instant));
}

/** An instant in a named time zone, as the people there read their clock. */
export function whenIn(instant: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      new Date(instant),
    );
  } catch {
    return when(instant);
  }
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// Words for what the API gives as codes, numbers and instants.

export function words(code: string): string {
  const text = code.toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function money(amount: { amount: string; currency: string }): string {
  return `${amount.amount} ${amount.currency}`;
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

// Date and time inputs speak the browser's local time with no offset ("2026-03-02T09:00");
// the API speaks instants with one. The conversions both ways, in one place.

const pad = (n) => String(n).padStart(2, '0');

/** "YYYY-MM-DD" of `date` (a Date, ISO text or milliseconds) in the browser's time zone. */
export function localDate(date) {
  const d = new Date(date);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A `datetime-local` value for `date`, or '' when there is none. */
export function localInputValue(date) {
  if (date === null || date === undefined || date === '') return '';
  const d = new Date(date);
  return `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant a `datetime-local` value means here, as ISO text with an offset; null if empty. */
export function localInputToIso(value) {
  return value ? new Date(value).toISOString() : null;
}

/** `days` from now, to the minute, as a `datetime-local` value (a form's default due date). */
export function localInputInDays(days) {
  const date = new Date(Date.now() + days * 86400000);
  date.setSeconds(0, 0);
  return localInputValue(date);
}

// Formats times for the screens in the station's own locale and time zone.

/** Returns the time of day of an ISO 8601 time, with the date when it is not today. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) {
    return iso;
  }
  const clock = time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (time.toDateString() === now.toDateString()) {
    return clock;
  }
  return `${time.toLocaleDateString()} ${clock}`;
}

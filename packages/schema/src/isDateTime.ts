// A character-level RFC 3339 date-time check with exactly the semantics of ajv-formats' "full"
// `date-time` (calendar-checked dates, time zone required, 'T', 't' or any whitespace as separator,
// offsets `+hh`, `+hhmm`, `+hh:mm`, leap seconds only at 23:59:60 UTC). ajv-formats splits the
// string and runs two capturing regexes; that was ~85% of validateEvent's time for a valid event.
// isDateTime.test.ts checks agreement with ajv-formats on generated inputs.

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WHITESPACE = /\s/;

function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // charCodeAt past the end is NaN, which fails both comparisons.
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Whether `s` is an RFC 3339 date-time with a time zone, as ajv-formats' full `date-time` decides.
 *
 * @example
 * isDateTime('2025-01-01T00:00:00.000Z'); // true
 * isDateTime('2025-02-30T00:00:00Z');     // false: no 30 February
 * isDateTime('2025-01-01T00:00:00');      // false: no time zone
 */
export function isDateTime(s: string): boolean {
  const yearHigh = twoDigits(s, 0);
  const yearLow = twoDigits(s, 2);
  if (yearHigh < 0 || yearLow < 0 || s.charCodeAt(4) !== 45 /* - */) return false;
  const month = twoDigits(s, 5);
  if (month < 1 || month > 12 || s.charCodeAt(7) !== 45 /* - */) return false;
  const day = twoDigits(s, 8);
  const maxDay = month === 2 && isLeapYear(yearHigh * 100 + yearLow) ? 29 : (DAYS[month] ?? 0);
  if (day < 1 || day > maxDay) return false;

  const separator = s.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */ && !WHITESPACE.test(s.charAt(10))) return false;
  const hour = twoDigits(s, 11);
  if (hour < 0 || s.charCodeAt(13) !== 58 /* : */) return false;
  const minute = twoDigits(s, 14);
  if (minute < 0 || s.charCodeAt(16) !== 58 /* : */) return false;
  const second = twoDigits(s, 17);
  if (second < 0) return false;

  let i = 19;
  if (s.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === start) return false;
  }

  let sign = 1;
  let offsetHours = 0;
  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */ || zone === 122 /* z */) {
    i++;
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    sign = zone === 45 ? -1 : 1;
    offsetHours = twoDigits(s, i + 1);
    if (offsetHours < 0) return false;
    i += 3;
    if (s.charCodeAt(i) === 58 /* : */) {
      offsetMinutes = twoDigits(s, i + 1);
      if (offsetMinutes < 0) return false;
      i += 3;
    } else if (i < s.length) {
      offsetMinutes = twoDigits(s, i);
      if (offsetMinutes < 0) return false;
      i += 2;
    }
  } else {
    return false;
  }
  if (i !== s.length || offsetHours > 23 || offsetMinutes > 59) return false;

  // A fraction never changes the outcome: ss.fff < 60 iff ss <= 59, and < 61 iff ss <= 60.
  if (hour <= 23 && minute <= 59 && second <= 59) return true;
  // A leap second is only valid at 23:59:60 UTC.
  const utcMinute = minute - offsetMinutes * sign;
  const utcHour = hour - offsetHours * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second <= 60;
}

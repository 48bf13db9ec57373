/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC as
 * Cloudflare Cron Triggers are: `*`, lists (`1,15`), ranges (`1-5`), steps (`*\/15`, `10-50/20`),
 * month and weekday names (`JAN`, `MON-FRI`), and weekday 7 for Sunday. When both day fields are
 * restricted, a day matches either (the Vixie cron rule).
 */
export interface Cron {
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  day: ReadonlySet<number>;
  month: ReadonlySet<number>;
  weekday: ReadonlySet<number>;
  /** Whether the day-of-month and day-of-week fields were `*`. */
  anyDay: boolean;
  anyWeekday: boolean;
}

const FIELDS = [
  { name: 'minute', lo: 0, hi: 59 },
  { name: 'hour', lo: 0, hi: 23 },
  { name: 'day of month', lo: 1, hi: 31 },
  {
    name: 'month',
    lo: 1,
    hi: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', lo: 0, hi: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new RangeError(
      `cron needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length} in "${expr}"`,
    );
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]));
  const weekday = new Set([...sets[4]].map((d) => (d === 7 ? 0 : d)));
  return {
    minute: sets[0],
    hour: sets[1],
    day: sets[2],
    month: sets[3],
    weekday,
    anyDay: parts[2] === '*',
    anyWeekday: parts[4] === '*',
  };
}

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  const value = (v: string): number => {
    const names = 'names' in f ? (f.names as readonly string[]) : [];
    const byName = names.indexOf(v.toUpperCase());
    if (byName >= 0) return byName + (f.name === 'month' ? 1 : 0);
    if (!/^\d+$/.test(v))
      throw new RangeError(`cron ${f.name}: "${v}" is not a number${names.length ? ' or a name' : ''}`);
    const n = Number(v);
    if (n < f.lo || n > f.hi) throw new RangeError(`cron ${f.name}: ${n} is outside ${f.lo}-${f.hi}`);
    return n;
  };
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new RangeError(`cron ${f.name}: step "${stepText}" must be a whole number ≥ 1`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [f.lo, f.hi];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a), value(b)];
      if (lo > hi) throw new RangeError(`cron ${f.name}: range "${range}" runs backwards`);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : f.hi;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Whether a UTC minute matches. */
export function cronMatches(c: Cron, at: Date): boolean {
  if (
    !c.minute.has(at.getUTCMinutes()) ||
    !c.hour.has(at.getUTCHours()) ||
    !c.month.has(at.getUTCMonth() + 1)
  )
    return false;
  const day = c.day.has(at.getUTCDate());
  const weekday = c.weekday.has(at.getUTCDay());
  if (c.anyDay && c.anyWeekday) return true;
  if (c.anyDay) return weekday;
  if (c.anyWeekday) return day;
  return day || weekday;
}

const MINUTE = 60_000;

/** The first whole UTC minute strictly after `after` that matches (searched up to 5 years ahead; null when none). */
export function nextCron(c: Cron, after: Date): Date | null {
  let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
  const end = t + 5 * 366 * 24 * 60 * MINUTE;
  while (t < end) {
    const d = new Date(t);
    if (!c.month.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    const dayOk = cronMatches({ ...c, minute: ALL_MINUTES, hour: ALL_HOURS }, d);
    if (!dayOk) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!c.hour.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (c.minute.has(d.getUTCMinutes())) return d;
    t += MINUTE;
  }
  return null;
}

const ALL_MINUTES: ReadonlySet<number> = new Set(Array.from({ length: 60 }, (_, i) => i));
const ALL_HOURS: ReadonlySet<number> = new Set(Array.from({ length: 24 }, (_, i) => i));

const UNITS: Record<string, number> = { m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE };

/** `every`: a whole number of minutes, hours or days (`15m`, `6h`, `1d`), in milliseconds; at least 1 minute. */
export function parseEvery(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new RangeError(`every must look like 15m, 6h or 1d, got "${text}"`);
  return Number(m[1]) * UNITS[m[2]];
}

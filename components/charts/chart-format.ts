/** Number and time formats shared by the charts and the metric pages. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function scaled(value: number, base: number, units: string[]): string {
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  const digits = v === 0 || v >= 100 || (i === 0 && v >= 10) ? 0 : v >= 10 || i === 0 ? 1 : 2;
  return `${value < 0 ? '-' : ''}${v.toFixed(digits)} ${units[i]}`;
}

export function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, BYTE_UNITS);
}

export function formatBytesPerSecond(bps: number): string {
  return `${scaled(bps, 1024, BYTE_UNITS)}/s`;
}

/** CPU in % of one core (100 = one core busy). */
export function formatCpu(percent: number): string {
  return `${percent >= 100 ? percent.toFixed(0) : percent >= 10 ? percent.toFixed(1) : percent.toFixed(2)} %`;
}

/** A 0..1 ratio as a percentage with enough digits to tell 99.9 from 99.99. */
export function formatRatio(ratio: number, digits = 2): string {
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Requests per second: `0.25/s`, `12.5/s`, `1.2k/s`. */
export function formatPerSecond(rate: number): string {
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)}k/s`;
  if (rate >= 100) return `${rate.toFixed(0)}/s`;
  if (rate >= 10) return `${rate.toFixed(1)}/s`;
  return `${rate.toFixed(2)}/s`;
}

/** A share already in %: `0 %`, `0.42 %`, `12.3 %`. */
export function formatPercent(percent: number): string {
  if (percent === 0) return '0 %';
  return `${percent < 1 ? percent.toFixed(2) : percent < 10 ? percent.toFixed(1) : percent.toFixed(0)} %`;
}

/** Milliseconds: `0.4 ms`, `42 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : seconds.toFixed(0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type TimeSpan = '15m' | '1h' | '24h' | '7d';

const TICK_EVERY: Record<TimeSpan, number> = {
  '15m': 3 * MINUTE,
  '1h': 10 * MINUTE,
  '24h': 4 * HOUR,
  '7d': DAY,
};

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Tick positions on whole minutes/hours (local time) across [from, to]. */
export function timeTicks(span: TimeSpan, from: number, to: number): number[] {
  const every = TICK_EVERY[span];
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from - offset) / every) * every + offset;
  const ticks: number[] = [];
  for (let t = first; t <= to; t += every) ticks.push(t);
  return ticks;
}

export function formatTick(span: TimeSpan, t: number): string {
  return span === '7d' ? weekday.format(t) : clock.format(t);
}

export function formatInstant(t: number): string {
  return full.format(t);
}

const utcDay = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const utcDayLong = new Intl.DateTimeFormat('en', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A UTC day or week start (the server bins by UTC), the same on server and browser. */
export function formatUtcDay(t: number, long = false): string {
  return (long ? utcDayLong : utcDay).format(t);
}

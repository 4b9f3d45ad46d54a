'use client';

import { useSyncExternalStore } from 'react';

// One shared clock for every relative time on the page, ticking while anything shows one.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 5_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const getSnapshot = () => now;
const getServerSnapshot = () => Date.now();

export function useNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "12s", "4m", "3h", "2d" — compact, for ages and durations. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`.replace(/ 0s$/, '');
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`.replace(/ 0m$/, '');
  return `${Math.floor(h / 24)}d ${h % 24}h`.replace(/ 0h$/, '');
}

export function formatRelative(date: Date, nowMs: number): string {
  const diff = nowMs - date.getTime();
  const s = Math.round(diff / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ago`;
  const d = Math.floor(h / 24);
  if (d < 30) return `${d}d ago`;
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatAbsolute(date: Date): string {
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** "3m ago", with the exact time on hover. Server and browser clocks differ, so hydration is lenient here. */
export function RelativeTime({ date, className }: { date: Date | string | number; className?: string }) {
  const nowMs = useNow();
  const d = toDate(date);
  return (
    <time dateTime={d.toISOString()} title={formatAbsolute(d)} className={className} suppressHydrationWarning>
      {formatRelative(d, nowMs)}
    </time>
  );
}

/** Age of something still alive: "42s", "5m". */
export function Age({ since, className }: { since: Date | string | number; className?: string }) {
  const nowMs = useNow();
  const d = toDate(since);
  return (
    <time dateTime={d.toISOString()} title={formatAbsolute(d)} className={className} suppressHydrationWarning>
      {formatDuration(nowMs - d.getTime())}
    </time>
  );
}

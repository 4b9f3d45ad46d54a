'use client';

import { useRef, useState, type KeyboardEvent } from 'react';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { formatRatio, formatUtcDay } from './chart-format';

export type DayAvailability = { day: number; availability: number | null; expected: number; up: number };

/** The colour of a day against the objective (or 99.9 % without one). */
function cellClass(availability: number | null, target: number) {
  if (availability === null) return 'bg-zinc-200 dark:bg-zinc-800';
  if (availability >= target) return 'bg-emerald-500 dark:bg-emerald-500/80';
  if (availability >= 0.99 * target) return 'bg-amber-400 dark:bg-amber-500/80';
  return 'bg-red-500 dark:bg-red-500/80';
}

function describe(d: DayAvailability) {
  const day = formatUtcDay(d.day, true);
  if (d.availability === null) return `${day}: no samples`;
  return `${day}: ${formatRatio(d.availability, 3)} available (${d.up} of ${d.expected} samples up)`;
}

/**
 * One cell per UTC day, coloured by availability, oldest on the left. A single tab stop; arrow keys, Home
 * and End move between days and show each day's numbers, as hovering does.
 */
export function AvailabilityStrip({
  days,
  targetRatio,
  label,
}: {
  days: DayAvailability[];
  /** The objective as a 0..1 ratio, or null to judge against 99.9 %. */
  targetRatio: number | null;
  label: string;
}) {
  const [active, setActive] = useState(days.length - 1);
  const [shown, setShown] = useState<number | null>(null);
  const cells = useRef<(HTMLDivElement | null)[]>([]);
  const target = targetRatio ?? 0.999;

  const move = (i: number) => {
    const next = Math.max(0, Math.min(days.length - 1, i));
    setActive(next);
    setShown(next);
    cells.current[next]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const to =
      e.key === 'ArrowLeft'
        ? active - 1
        : e.key === 'ArrowRight'
          ? active + 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? days.length - 1
              : null;
    if (to === null) return;
    e.preventDefault();
    move(to);
  };

  const tip = shown === null ? null : days[shown];
  return (
    <div className="relative">
      <div
        role="list"
        aria-label={label}
        className="flex h-7 gap-0.5"
        onKeyDown={onKeyDown}
        onMouseLeave={() => setShown(null)}
        data-testid="availability-strip"
      >
        {days.map((d, i) => (
          <div
            key={d.day}
            ref={(el) => {
              cells.current[i] = el;
            }}
            role="listitem"
            tabIndex={i === active ? 0 : -1}
            aria-label={describe(d)}
            onMouseEnter={() => setShown(i)}
            onFocus={() => {
              setActive(i);
              setShown(i);
            }}
            onBlur={() => setShown(null)}
            className={cx(
              'min-w-1 flex-1 rounded-[3px] transition-opacity hover:opacity-80',
              cellClass(d.availability, target),
              focusRing,
            )}
            data-availability={d.availability ?? ''}
          />
        ))}
      </div>
      {tip && shown !== null && (
        <div
          aria-hidden
          className="pointer-events-none absolute bottom-full z-30 mb-1.5 w-max max-w-64 -translate-x-1/2 rounded-md bg-zinc-900 px-2 py-1 text-xs text-white shadow-lg dark:bg-zinc-100 dark:text-zinc-900"
          style={{ left: `${((shown + 0.5) / days.length) * 100}%` }}
        >
          {describe(tip)}
        </div>
      )}
      <div className="mt-1 flex justify-between text-[11px] text-zinc-400 dark:text-zinc-500">
        <span>{days[0] ? formatUtcDay(days[0].day) : ''}</span>
        <span>today</span>
      </div>
    </div>
  );
}

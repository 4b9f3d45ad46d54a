import { cx } from '@/components/ui/class-names';
import { CHART_COLORS } from './chart-colors';

/**
 * A tiny line without axes for a table cell: evenly spaced values, null where nothing was sampled (the
 * line breaks there; a lone value is a dot). Scaled from zero so a flat idle service looks flat.
 */
export function Sparkline({
  values,
  label,
  color = CHART_COLORS.primary,
  width = 96,
  height = 24,
  className,
}: {
  values: (number | null)[];
  /** What the line shows, for screen readers, e.g. "CPU over the last hour, now 3.2 %". */
  label: string;
  color?: string;
  width?: number;
  height?: number;
  className?: string;
}) {
  const pad = 2;
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const top = max > 0 ? max : 1;
  const stepX = values.length > 1 ? (width - pad * 2) / (values.length - 1) : 0;
  const x = (i: number) => pad + i * stepX;
  const y = (v: number) => height - pad - (v / top) * (height - pad * 2);

  const segments: { i: number; v: number }[][] = [];
  let current: { i: number; v: number }[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push({ i, v });
  });
  if (current.length) segments.push(current);
  const points = segments.reduce((n, s) => n + s.length, 0);

  return (
    <svg
      role="img"
      aria-label={label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      className={cx('overflow-visible', className)}
      data-points={points}
    >
      <line
        x1={pad}
        x2={width - pad}
        y1={height - pad}
        y2={height - pad}
        className="stroke-zinc-200 dark:stroke-zinc-700"
        strokeWidth={1}
      />
      {segments.map((seg) =>
        seg.length === 1 ? (
          <circle key={seg[0]!.i} cx={x(seg[0]!.i)} cy={y(seg[0]!.v)} r={1.5} fill={color} />
        ) : (
          <polyline
            key={seg[0]!.i}
            points={seg.map((p) => `${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
            fill="none"
            stroke={color}
            strokeWidth={1.5}
            strokeLinejoin="round"
            strokeLinecap="round"
          />
        ),
      )}
    </svg>
  );
}

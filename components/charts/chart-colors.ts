/**
 * Mid-tone series colours (Tailwind 500s) that read on white and on zinc-900 alike; chart chrome (grid,
 * axis text) takes `currentColor` from classes on the wrapper so it follows the theme.
 */
export const SERIES_COLORS = [
  '#6366f1', // indigo
  '#0ea5e9', // sky
  '#10b981', // emerald
  '#f59e0b', // amber
  '#ec4899', // pink
  '#8b5cf6', // violet
  '#14b8a6', // teal
  '#f97316', // orange
] as const;

export const CHART_COLORS = {
  primary: '#6366f1',
  secondary: '#0ea5e9',
  good: '#10b981',
  warn: '#f59e0b',
  bad: '#ef4444',
  muted: '#a1a1aa',
} as const;

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/** Deploy marker colour by deployment status. */
export function deployColor(status: string): string {
  if (status === 'succeeded') return CHART_COLORS.good;
  if (status === 'failed' || status === 'rolled_back') return CHART_COLORS.bad;
  if (status === 'cancelled') return CHART_COLORS.muted;
  return CHART_COLORS.primary;
}

/** Classes for a chart wrapper: its text colour is the axis/grid colour. */
export const chartChrome = 'text-zinc-400 dark:text-zinc-500';

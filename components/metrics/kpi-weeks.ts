/** The periods the KPI page offers, and the one it opens with (the server prefetches it). */
export const DEFAULT_WEEKS = 8;
export const WEEK_CHOICES = [4, 8, 12, 26] as const;

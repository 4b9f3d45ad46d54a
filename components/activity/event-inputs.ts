/** Query inputs shared by a page's server prefetch and its client, so both hit the same cache entry. */
export const serviceEventsInput = (serviceId: string) => ({ serviceId, limit: 25 });

export const ACTIVITY_PAGE_SIZE = 50;
export const activityInput = (before: number | undefined) => ({ before, limit: ACTIVITY_PAGE_SIZE });

export const AUDIT_PAGE_SIZE = 100;
export const auditInput = (before: number | undefined) => ({ before, limit: AUDIT_PAGE_SIZE });

/** `?before=123` as a positive integer, or undefined. */
export function parseCursor(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const n = raw ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

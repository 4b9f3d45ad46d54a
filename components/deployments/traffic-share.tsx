/** How much of the serving capacity runs the new revision, as a bar. */
export function TrafficShare({ share }: { share: number }) {
  const pct = Math.round(share * 100);
  return (
    <div className="mt-3">
      <div
        className="flex h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        role="meter"
        aria-label="Healthy replicas on the new revision"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div className="bg-indigo-500 transition-[width] duration-500" style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-1 text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
        {pct}% of healthy replicas on the new revision
      </p>
    </div>
  );
}

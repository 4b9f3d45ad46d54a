import type { DeploymentDetail } from '@/components/router-types';
import { cx } from '@/components/ui/class-names';
import { EmptyState } from '@/components/ui/empty-state';
import { RocketIcon } from '@/components/ui/icons';
import { formatAbsolute } from '@/components/ui/relative-time';

type Step = DeploymentDetail['steps'][number];

function tone(kind: string): string {
  if (kind.endsWith('.failed') || kind === 'replica.unhealthy') return 'bg-red-500';
  if (kind.endsWith('.succeeded') || kind === 'replica.healthy') return 'bg-emerald-500';
  if (kind.endsWith('.cancelled') || kind === 'replica.stopped') return 'bg-amber-500';
  return 'bg-indigo-500';
}

/** The rollout as it happened: each step with its offset from the start, oldest first. */
export function DeploymentSteps({ steps, startedAt }: { steps: Step[]; startedAt: Date }) {
  if (steps.length === 0) {
    return (
      <EmptyState
        icon={<RocketIcon className="size-5" />}
        title="No steps yet"
        description="Steps appear as the rollout runs."
      />
    );
  }
  const t0 = Math.min(startedAt.getTime(), steps[0]!.at.getTime());
  return (
    <ol className="divide-y divide-zinc-100 dark:divide-zinc-800" aria-label="Rollout steps">
      {steps.map((s) => (
        <li
          key={s.id}
          className="flex items-baseline gap-3 px-4 py-2 text-sm"
          data-testid="deployment-step"
          data-kind={s.kind}
        >
          <span
            aria-hidden
            className={cx('relative top-[-1px] size-2 shrink-0 rounded-full', tone(s.kind))}
          />
          <span
            className="w-16 shrink-0 text-right font-mono text-xs text-zinc-500 tabular-nums dark:text-zinc-400"
            title={formatAbsolute(s.at)}
          >
            +{((s.at.getTime() - t0) / 1000).toFixed(1)}s
          </span>
          <span className="min-w-0 flex-1 text-zinc-800 dark:text-zinc-200">{s.message}</span>
          <span className="hidden shrink-0 font-mono text-[11px] text-zinc-400 sm:inline">{s.kind}</span>
        </li>
      ))}
    </ol>
  );
}

'use client';

import { useId, useState } from 'react';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { cx } from '@/components/ui/class-names';
import { focusRing } from '@/components/ui/focus-ring';
import { controlClasses } from '@/components/ui/input';
import { DisabledReason } from '@/components/ui/tooltip';
// Schemas are shared with forms by design; the lint rule's '**' pattern cannot re-include them (see report).
import { MAX_REPLICAS, replicaCountSchema } from '@/server/services/service/schema';
import { ServiceActionDialog, useServiceAction } from './service-action';

type Props = {
  serviceId: string;
  serviceName: string;
  /** The service's replica count now (intent, not what runs). */
  desired: number;
  /** The stable endpoint, named in the warning before scaling to zero. */
  endpoint: string | null;
  disabledReason: string | null;
};

export const replicasText = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

const stepClasses = cx(
  'inline-flex h-8 w-8 items-center justify-center border border-zinc-300 bg-white text-base leading-none text-zinc-700 transition-colors hover:bg-zinc-50',
  'disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800',
  focusRing,
);

/**
 * The replica count: − and + or a typed number, then a confirmation. Scaling changes only the count: no
 * new revision, the running replicas are not touched.
 */
export function ScaleStepper({ serviceId, serviceName, desired, endpoint, disabledReason }: Props) {
  const trpc = useTRPC();
  const id = useId();
  /** What the person typed; null shows the service's count, which may change under them (live). */
  const [draft, setDraft] = useState<string | null>(null);
  // A new count from the server (this scale, or someone else's) replaces what was typed.
  const [shown, setShown] = useState(desired);
  if (shown !== desired) {
    setShown(desired);
    setDraft(null);
  }
  const scale = useServiceAction(trpc.services.scale);

  const value = draft ?? String(desired);
  const parsed = replicaCountSchema.safeParse(value.trim() === '' ? Number.NaN : Number(value));
  const target = parsed.success ? parsed.data : null;
  const invalid = draft !== null && !parsed.success ? (parsed.error.issues[0]?.message ?? null) : null;
  const changed = target !== null && target !== desired;
  const locked = disabledReason !== null;
  const base = target ?? desired;
  const stepTo = (n: number) => setDraft(String(Math.min(MAX_REPLICAS, Math.max(0, n))));

  return (
    <>
      <form
        aria-label={`Scale ${serviceName}`}
        noValidate
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!changed || locked) return;
          scale.start();
        }}
      >
        <DisabledReason reason={disabledReason} align="end">
          <div className="inline-flex items-center">
            <label htmlFor={`${id}-input`} className="sr-only">
              Desired replicas
            </label>
            <button
              type="button"
              className={cx(stepClasses, 'rounded-l-md')}
              aria-label="One replica fewer"
              disabled={locked || base <= 0}
              onClick={() => stepTo(base - 1)}
            >
              −
            </button>
            <input
              id={`${id}-input`}
              type="number"
              inputMode="numeric"
              min={0}
              max={MAX_REPLICAS}
              step={1}
              value={value}
              disabled={locked}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={invalid ? `${id}-error` : undefined}
              onChange={(e) => setDraft(e.target.value)}
              className={cx(
                controlClasses,
                'h-8 w-14 rounded-none border-x-0 px-1 text-center tabular-nums shadow-none',
                '[appearance:textfield] [&::-webkit-inner-spin-button]:appearance-none [&::-webkit-outer-spin-button]:appearance-none',
              )}
            />
            <button
              type="button"
              className={cx(stepClasses, 'rounded-r-md')}
              aria-label="One replica more"
              disabled={locked || base >= MAX_REPLICAS}
              onClick={() => stepTo(base + 1)}
            >
              +
            </button>
          </div>
        </DisabledReason>
        {!locked && (
          <>
            <Button type="submit" size="sm" variant="primary" disabled={!changed}>
              Scale
            </Button>
            {draft !== null && draft !== String(desired) && (
              <Button size="sm" variant="ghost" onClick={() => setDraft(null)}>
                Reset
              </Button>
            )}
          </>
        )}
        {invalid && (
          <p id={`${id}-error`} className="w-full text-xs text-red-600 dark:text-red-400">
            {invalid}
          </p>
        )}
      </form>
      <ServiceActionDialog
        action={scale}
        onConfirm={() => {
          if (target !== null) scale.mutate({ serviceId, replicas: target, reason: scale.reason });
        }}
        title={`Scale ${serviceName} from ${desired} to ${replicasText(target ?? desired)}?`}
        description={
          target === 0
            ? 'Every replica is drained, then stopped. No new revision is made.'
            : target !== null && target > desired
              ? 'New replicas of the current revision join traffic once healthy; the running ones are not touched. No new revision is made.'
              : 'Unhealthy and the highest-numbered replicas are drained, then stopped; the others are not touched. No new revision is made.'
        }
        confirmLabel={target === 0 ? 'Scale to zero' : 'Scale'}
        tone={target === 0 ? 'danger' : 'primary'}
        reasonHint="Shown in the activity log."
        reasonPlaceholder={target !== null && target > desired ? 'e.g. launch traffic' : ''}
      >
        {target === 0 && (
          <Alert tone="warning" title="The endpoint will answer 503">
            While {serviceName} is scaled to zero, requests to {endpoint ?? 'its endpoint'} get 503 Service
            Unavailable. Scale up again to serve.
          </Alert>
        )}
      </ServiceActionDialog>
    </>
  );
}

'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '@/components/errors/describe-error';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { setSloTargetInput } from '@/server/services/metrics/schema';

/** Sets or removes a service's availability objective (operators and admins). */
export function SloTargetForm({
  serviceId,
  serviceName,
  targetPercent,
}: {
  serviceId: string;
  serviceName: string;
  targetPercent: number | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(targetPercent === null ? '' : String(targetPercent));
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.metrics.setSloTarget.mutationOptions({
      onSuccess: (_data, input) => {
        setError(null);
        setValue(input.targetPercent === null ? '' : String(input.targetPercent));
        void queryClient.invalidateQueries({ queryKey: trpc.metrics.slo.queryKey({ serviceId }) });
      },
      onError: (err) =>
        setError(describeError(err).fieldErrors.targetPercent?.[0] ?? describeError(err).message),
    }),
  );

  const submit = (targetPercent: number | null) => {
    const parsed = setSloTargetInput.safeParse({ serviceId, targetPercent });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid objective');
      return;
    }
    save.mutate(parsed.data);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = value.trim();
    if (trimmed === '') return submit(null);
    const n = Number(trimmed);
    if (!Number.isFinite(n)) return setError('Enter a percentage such as 99.9');
    submit(n);
  };

  const id = `slo-${serviceId}`;
  const unchanged = value.trim() === (targetPercent === null ? '' : String(targetPercent));
  return (
    <form onSubmit={onSubmit} className="space-y-1" noValidate>
      <label htmlFor={id} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
        Availability objective
      </label>
      <div className="flex items-center gap-2">
        <div className="relative w-28">
          <Input
            id={id}
            inputMode="decimal"
            value={value}
            placeholder="99.9"
            onChange={(e) => {
              setValue(e.target.value);
              setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-hint`}
            className="pr-7 text-right tabular-nums"
            aria-label={`Availability objective of ${serviceName}, in percent`}
          />
          <span className="pointer-events-none absolute top-1/2 right-2.5 -translate-y-1/2 text-xs text-zinc-400">
            %
          </span>
        </div>
        <Button type="submit" size="sm" loading={save.isPending} disabled={unchanged}>
          Save
        </Button>
        {targetPercent !== null && (
          <Button
            size="sm"
            variant="ghost"
            disabled={save.isPending}
            onClick={() => {
              setValue('');
              submit(null);
            }}
          >
            Remove
          </Button>
        )}
      </div>
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-600 dark:text-red-400" role="alert">
          {error}
        </p>
      ) : (
        <p id={`${id}-hint`} className="text-xs text-zinc-500 dark:text-zinc-400">
          50 to 99.999, over 30 days. Empty removes it.
        </p>
      )}
    </form>
  );
}

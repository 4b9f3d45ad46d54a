'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { describeError } from '@/components/errors/describe-error';
import { issuesByPath } from '@/components/errors/issues-by-path';
import type { RouterInputs, ServiceSpecView } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { RocketIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
// Schemas are shared with forms by design; the lint rule's '**' pattern cannot re-include them (see report).
import { deployServiceSchema, serviceSpecSchema } from '@/server/services/service/schema';
import { changeLines, diffSpecs } from '@/server/services/service/spec-diff';
import { EnvVarEditor, envRowsToInput, newEnvRow, type EnvRow } from './env-var-editor';
import { strategyFromForm, strategyToForm, type StrategyForm } from './rollout-strategy';
import { RolloutStrategyFields } from './rollout-strategy-fields';

type Props = {
  serviceId: string;
  spec: ServiceSpecView;
  revision: number | null;
  /** Revisions with a deployment under way or queued, so the form's notice lasts as long as its deploy. */
  pendingRevisions: number[];
};

type FormState = { tag: string; replicas: string; env: EnvRow[]; strategy: StrategyForm; reason: string };

function fromSpec(spec: ServiceSpecView): FormState {
  return {
    tag: spec.tag,
    replicas: String(spec.replicas),
    env: spec.env.map((v) =>
      newEnvRow({ name: v.name, value: v.value ?? '', secret: v.secret, kept: v.secret }),
    ),
    strategy: strategyToForm(spec.strategy),
    reason: '',
  };
}

function toInput(
  serviceId: string,
  spec: ServiceSpecView,
  form: FormState,
): RouterInputs['services']['deploy'] {
  return {
    serviceId,
    reason: form.reason,
    spec: {
      image: spec.image,
      tag: form.tag,
      port: spec.port,
      env: envRowsToInput(form.env),
      healthCheck: spec.healthCheck,
      replicas: form.replicas.trim() === '' ? Number.NaN : Number(form.replicas),
      strategy: strategyFromForm(form.strategy),
      resources: spec.resources,
      labels: spec.labels,
    },
  };
}

/** The spec the form would deploy, as the browser sees a spec (secret values are never compared). */
function nextSpecView(serviceId: string, current: ServiceSpecView, form: FormState): ServiceSpecView | null {
  const next = serviceSpecSchema.safeParse(toInput(serviceId, current, form).spec).data;
  if (!next) return null;
  return {
    ...current,
    tag: next.tag,
    replicas: next.replicas,
    strategy: next.strategy,
    env: next.env.map((v) => ({ name: v.name, secret: v.secret, value: v.secret ? null : (v.value ?? '') })),
  };
}

/**
 * A new revision from the current spec: tag, replicas, environment and rollout strategy change, the rest
 * is carried over.
 * Existing secrets are sent without a value, which tells the server to keep the stored one.
 */
export function DeployForm({ serviceId, spec, revision, pendingRevisions }: Props) {
  const deploying = pendingRevisions.length > 0;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => fromSpec(spec));
  const [base, setBase] = useState(revision);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [strategyOpen, setStrategyOpen] = useState(false);
  const [deployed, setDeployed] = useState<{ revision: number; queued: boolean } | null>(null);
  const [lastInput, setLastInput] = useState<RouterInputs['services']['deploy'] | null>(null);

  const deploy = useMutation(
    trpc.services.deploy.mutationOptions({
      onSuccess: async (result) => {
        setDeployed({ revision: result.revision.number, queued: result.deployment.status === 'queued' });
        setBase(result.revision.number);
        // Typed secret values are stored now; the form keeps them as "kept" and forgets the text.
        setForm((f) => ({
          ...f,
          reason: '',
          env: f.env.map((r) => (r.secret ? { ...r, kept: true, value: '' } : r)),
        }));
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() }),
        ]);
      },
      onError: (error) => {
        if (Object.keys(describeError(error).issues).some((k) => k.startsWith('spec.strategy')))
          setStrategyOpen(true);
      },
    }),
  );
  const changesId = useId();

  const serverError = deploy.error ? describeError(deploy.error) : null;
  const err = (path: string) => errors[path] ?? serverError?.issues[path];
  const next = nextSpecView(serviceId, spec, form);
  const changes = next ? changeLines(diffSpecs(spec, next)) : null;
  const stale = revision !== base && !deploy.isPending;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setDeployed(null);
    const input = toInput(serviceId, spec, form);
    const parsed = deployServiceSchema.safeParse(input);
    if (!parsed.success) {
      const found = issuesByPath(parsed.error);
      setErrors(found);
      if (Object.keys(found).some((k) => k.startsWith('spec.strategy'))) setStrategyOpen(true);
      return;
    }
    setErrors({});
    setLastInput(input);
    deploy.mutate(input);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Deploy a new revision">
      {stale && (
        <Alert
          tone="info"
          action={
            <Button
              size="sm"
              onClick={() => {
                setForm(fromSpec(spec));
                setBase(revision);
                setErrors({});
              }}
            >
              Load r{revision}
            </Button>
          }
        >
          The service is now at revision {revision ?? '—'}; this form still starts from r{base ?? '—'}.
        </Alert>
      )}
      {deployed && !serverError && pendingRevisions.includes(deployed.revision) && (
        <Alert tone="success">
          {deployed.queued
            ? `Revision ${deployed.revision} is queued; it starts when the current deployment finishes.`
            : `Revision ${deployed.revision} is deploying. Progress shows above.`}
        </Alert>
      )}
      {serverError && (
        <Alert
          title={serverError.code === 'CONFLICT' ? 'Already deploying' : 'Not deployed'}
          action={
            serverError.code === 'CONFLICT' &&
            lastInput && (
              <Button size="sm" onClick={() => deploy.mutate({ ...lastInput, queue: true })}>
                Queue after it
              </Button>
            )
          }
        >
          {serverError.message}
        </Alert>
      )}

      <div className="grid gap-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Field label="Tag" hint={`Image ${spec.image}`} error={err('spec.tag')}>
          {(c) => (
            <Input
              {...c}
              value={form.tag}
              onChange={(e) => setForm((f) => ({ ...f, tag: e.target.value }))}
              className="font-mono text-xs"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Replicas" error={err('spec.replicas')}>
          {(c) => (
            <Input
              {...c}
              type="number"
              min={0}
              max={50}
              inputMode="numeric"
              value={form.replicas}
              onChange={(e) => setForm((f) => ({ ...f, replicas: e.target.value }))}
            />
          )}
        </Field>
      </div>

      <fieldset className="space-y-2">
        <legend className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Environment</legend>
        <EnvVarEditor
          rows={form.env}
          onChange={(env) => setForm((f) => ({ ...f, env }))}
          errorFor={(i, field) => err(`spec.env.${i}.${field}`)}
        />
        {err('spec.env') && <p className="text-xs text-red-600 dark:text-red-400">{err('spec.env')}</p>}
      </fieldset>

      <RolloutStrategyFields
        headingLevel={3}
        open={strategyOpen}
        onToggle={() => setStrategyOpen((o) => !o)}
        value={form.strategy}
        onChange={(strategy) => setForm((f) => ({ ...f, strategy }))}
        errorFor={(field) => err(`spec.strategy.${field}`)}
        strategyError={err('spec.strategy')}
      />

      <Field label="Reason" optional hint="Shown in the deployment history." error={err('reason')}>
        {(c) => (
          <Input
            {...c}
            value={form.reason}
            onChange={(e) => setForm((f) => ({ ...f, reason: e.target.value }))}
            placeholder="e.g. ship the new checkout flow"
          />
        )}
      </Field>

      <section
        aria-labelledby={changesId}
        className="rounded-md border border-zinc-200 bg-zinc-50 p-3 dark:border-zinc-800 dark:bg-zinc-950/40"
      >
        <h3 id={changesId} className="mb-1.5 text-xs font-medium text-zinc-500 dark:text-zinc-400">
          What this deploy changes from r{revision ?? '—'}
        </h3>
        {changes === null ? (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Some values above are not valid yet.</p>
        ) : changes.length > 0 ? (
          <ul className="list-disc space-y-0.5 pl-4 font-mono text-xs text-zinc-800 dark:text-zinc-200">
            {changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        ) : (
          <p className="text-xs text-zinc-600 dark:text-zinc-300">
            No visible change: new replicas of the same spec replace the running ones.
          </p>
        )}
      </section>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          {deploying
            ? 'A deployment is in progress; a new one is refused until it finishes.'
            : next && next.strategy && next.strategy.maxUnavailable > 0
              ? `Up to ${next.strategy.maxUnavailable} old replica(s) may stop before their replacements are healthy.`
              : 'Old replicas stop only once the new ones are healthy.'}
        </p>
        <Button type="submit" variant="primary" loading={deploy.isPending}>
          <RocketIcon className="size-3.5" /> Deploy
        </Button>
      </div>
    </form>
  );
}

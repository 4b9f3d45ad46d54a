'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { describeError } from '@/components/errors/describe-error';
import type { RouterInputs, ServiceSpecView } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { RocketIcon } from '@/components/ui/icons';
import { Input } from '@/components/ui/input';
// Schemas are shared with forms by design; the lint rule's '**' pattern cannot re-include them (see report).
import { deployServiceSchema, serviceSpecSchema } from '@/server/services/service/schema';
import { changeLines, diffSpecs, onlyLiveChanges } from '@/server/services/service/spec-diff';
import { CollapsibleSection, useOpenSections } from './collapsible-section';
import { EnvVarEditor } from './env-var-editor';
import { HealthCheckFields } from './health-check-fields';
import { LabelFields } from './label-fields';
import { ResourceFields, summarizeResources } from './resource-fields';
import { RolloutStrategyFields } from './rollout-strategy-fields';
import { formIssues, specFormErrors, specFromForm, specToForm, type SpecForm } from './service-spec-form';

type Props = {
  serviceId: string;
  spec: ServiceSpecView;
  revision: number | null;
  /** The service's replica count: a deploy keeps it. */
  replicas: number;
  /** Revisions with a deployment under way or queued, so the form's notice lasts as long as its deploy. */
  pendingRevisions: number[];
};

type FormState = SpecForm & { reason: string };

/** The collapsed parts of the form and the error paths each holds. */
const SECTIONS = {
  health: 'spec.healthCheck',
  resources: 'spec.resources',
  labels: 'spec.labels',
  strategy: 'spec.strategy',
};

function fromSpec(spec: ServiceSpecView): FormState {
  return { ...specToForm(spec), reason: '' };
}

function toInput(serviceId: string, form: FormState): RouterInputs['services']['deploy'] {
  return { serviceId, reason: form.reason, spec: specFromForm(form) };
}

/** The spec the form would deploy, as the browser sees a spec (secret values are never compared). */
function nextSpecView(current: ServiceSpecView, form: FormState): ServiceSpecView | null {
  const next = serviceSpecSchema.safeParse(specFromForm(form)).data;
  if (!next || Object.keys(specFormErrors(form)).length > 0) return null;
  return {
    ...current,
    image: next.image,
    tag: next.tag,
    port: next.port,
    healthCheck: next.healthCheck,
    strategy: next.strategy,
    resources: next.resources,
    labels: next.labels,
    env: next.env.map((v) => ({ name: v.name, secret: v.secret, value: v.secret ? null : (v.value ?? '') })),
  };
}

/**
 * A new revision from the current spec, every field of it editable; the replica count is not part of a
 * revision, so a deploy keeps it.
 * Existing secrets are sent without a value, which tells the server to keep the stored one.
 */
export function DeployForm({ serviceId, spec, revision, replicas, pendingRevisions }: Props) {
  const deploying = pendingRevisions.length > 0;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => fromSpec(spec));
  const [base, setBase] = useState(revision);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { open, toggle, openFor } = useOpenSections(SECTIONS);
  const [deployed, setDeployed] = useState<{ revision: number; queued: boolean; live: boolean } | null>(null);
  const [lastInput, setLastInput] = useState<RouterInputs['services']['deploy'] | null>(null);

  const deploy = useMutation(
    trpc.services.deploy.mutationOptions({
      onSuccess: async (result) => {
        setDeployed({
          revision: result.revision.number,
          queued: result.deployment.status === 'queued',
          live: result.deployment.kind === 'live',
        });
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
      onError: (error) => openFor(Object.keys(describeError(error).issues)),
    }),
  );
  const changesId = useId();

  const serverError = deploy.error ? describeError(deploy.error) : null;
  const err = (path: string) => errors[path] ?? serverError?.issues[path];
  const next = nextSpecView(spec, form);
  const diff = next ? diffSpecs(spec, next) : null;
  const changes = diff ? changeLines(diff) : null;
  /** Limits alone change: applied to the running replicas in place, nothing rolls. */
  const live = diff !== null && onlyLiveChanges(diff);
  const stale = revision !== base && !deploy.isPending;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setDeployed(null);
    const input = toInput(serviceId, form);
    const found = formIssues(deployServiceSchema, input, form);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      openFor(Object.keys(found));
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
            : deployed.live
              ? `Revision ${deployed.revision} applies its new limits to the running replicas, without a restart.`
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

      <div className="grid gap-4 sm:grid-cols-[minmax(0,3fr)_minmax(0,1.3fr)_minmax(0,1fr)]">
        <Field label="Image" hint="No tag here." error={err('spec.image')}>
          {(c) => (
            <Input
              {...c}
              value={form.image}
              onChange={(e) => setForm((f) => ({ ...f, image: e.target.value }))}
              className="font-mono text-xs"
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Tag" error={err('spec.tag')}>
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
        <Field label="Port" hint="Inside the container." error={err('spec.port')}>
          {(c) => (
            <Input
              {...c}
              type="number"
              inputMode="numeric"
              min={1}
              max={65535}
              value={form.port}
              onChange={(e) => setForm((f) => ({ ...f, port: e.target.value }))}
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

      <CollapsibleSection
        title="Resources"
        summary={summarizeResources(form.resources)}
        open={open.resources}
        onToggle={toggle('resources')}
        headingLevel={3}
      >
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Per replica. A change of limits alone is applied live to the running replicas, without a restart;
          any other change rolls new replicas. Reservations are checked against the host: a deploy that would
          reserve more CPU or memory than it has is refused.
        </p>
        <ResourceFields
          value={form.resources}
          onChange={(resources) => setForm((f) => ({ ...f, resources }))}
          errorFor={(field) => err(`spec.resources.${field}`)}
        />
      </CollapsibleSection>

      <HealthCheckFields
        headingLevel={3}
        open={open.health}
        onToggle={toggle('health')}
        value={form.health}
        onChange={(health) => setForm((f) => ({ ...f, health }))}
        errorFor={(field) => err(`spec.healthCheck.${field}`)}
      />

      <LabelFields
        headingLevel={3}
        open={open.labels}
        onToggle={toggle('labels')}
        value={form.labels}
        onChange={(labels) => setForm((f) => ({ ...f, labels }))}
        errorFor={(key) => err(`spec.labels.${key}`)}
        labelsError={err('spec.labels')}
      />

      <RolloutStrategyFields
        headingLevel={3}
        open={open.strategy}
        onToggle={toggle('strategy')}
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
        <div className="min-w-0 space-y-0.5 text-xs text-zinc-500 dark:text-zinc-400">
          <p data-testid="deploy-keeps-replicas">
            Deploys keep the current replica count ({replicas}); scale from the service page, under Replicas.
          </p>
          <p data-testid="deploy-how">
            {deploying
              ? 'A deployment is in progress; a new one is refused until it finishes.'
              : live
                ? 'Only limits change: they are applied live to the running replicas, without a restart.'
                : next && next.strategy && next.strategy.maxUnavailable > 0
                  ? `Up to ${next.strategy.maxUnavailable} old replica(s) may stop before their replacements are healthy.`
                  : 'Old replicas stop only once the new ones are healthy.'}
          </p>
        </div>
        <Button type="submit" variant="primary" loading={deploy.isPending}>
          <RocketIcon className="size-3.5" /> Deploy
        </Button>
      </div>
    </form>
  );
}

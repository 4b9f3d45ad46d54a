'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
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
import { deployServiceSchema } from '@/server/services/service/schema';
import { EnvVarEditor, envRowsToInput, newEnvRow, type EnvRow } from './env-var-editor';

type Props = {
  serviceId: string;
  spec: ServiceSpecView;
  revision: number | null;
  /** Revisions with a deployment under way or queued, so the form's notice lasts as long as its deploy. */
  pendingRevisions: number[];
};

type FormState = { tag: string; replicas: string; env: EnvRow[]; reason: string };

function fromSpec(spec: ServiceSpecView): FormState {
  return {
    tag: spec.tag,
    replicas: String(spec.replicas),
    env: spec.env.map((v) =>
      newEnvRow({ name: v.name, value: v.value ?? '', secret: v.secret, kept: v.secret }),
    ),
    reason: '',
  };
}

/**
 * A new revision from the current spec: tag, replicas and environment change, the rest is carried over.
 * Existing secrets are sent without a value, which tells the server to keep the stored one.
 */
export function DeployForm({ serviceId, spec, revision, pendingRevisions }: Props) {
  const deploying = pendingRevisions.length > 0;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => fromSpec(spec));
  const [base, setBase] = useState(revision);
  const [errors, setErrors] = useState<Record<string, string>>({});
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
    }),
  );

  const serverError = deploy.error ? describeError(deploy.error) : null;
  const stale = revision !== base && !deploy.isPending;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setDeployed(null);
    const input: RouterInputs['services']['deploy'] = {
      serviceId,
      reason: form.reason,
      spec: {
        image: spec.image,
        tag: form.tag,
        port: spec.port,
        env: envRowsToInput(form.env),
        healthCheck: spec.healthCheck,
        replicas: form.replicas.trim() === '' ? Number.NaN : Number(form.replicas),
        strategy: spec.strategy,
        resources: spec.resources,
        labels: spec.labels,
      },
    };
    const parsed = deployServiceSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(issuesByPath(parsed.error));
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
        <Field label="Tag" hint={`Image ${spec.image}`} error={errors['spec.tag']}>
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
        <Field label="Replicas" error={errors['spec.replicas']}>
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
          errorFor={(i, field) => errors[`spec.env.${i}.${field}`]}
        />
        {errors['spec.env'] && <p className="text-xs text-red-600 dark:text-red-400">{errors['spec.env']}</p>}
      </fieldset>

      <Field label="Reason" optional hint="Shown in the deployment history." error={errors.reason}>
        {(c) => (
          <Input
            {...c}
            value={form.reason}
            onChange={(e) => setForm((f) => ({ ...f, reason: e.target.value }))}
            placeholder="e.g. ship the new checkout flow"
          />
        )}
      </Field>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          {deploying
            ? 'A deployment is in progress; a new one is refused until it finishes.'
            : 'Old replicas stop only once the new ones are healthy.'}
        </p>
        <Button type="submit" variant="primary" loading={deploy.isPending}>
          <RocketIcon className="size-3.5" /> Deploy
        </Button>
      </div>
    </form>
  );
}

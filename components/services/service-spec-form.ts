import { issuesByPath } from '@/components/errors/issues-by-path';
import type { RouterInputs, ServiceSpecView } from '@/components/router-types';
import { envRowsToInput, newEnvRow, type EnvRow } from './env-var-editor';
import { healthCheckFromForm, healthCheckToForm, type HealthCheckForm } from './health-check-fields';
import { duplicateLabelKey, labelRows, labelsFromRows, type LabelRow } from './label-editor';
import { resourcesFromForm, resourcesToForm, type ResourcesForm } from './resource-fields';
import { strategyFromForm, strategyToForm, type StrategyForm } from './rollout-strategy';

/** A revision's spec as the create and deploy forms hold it: what was typed, not yet checked. */
export type SpecForm = {
  image: string;
  tag: string;
  port: string;
  env: EnvRow[];
  health: HealthCheckForm;
  resources: ResourcesForm;
  labels: LabelRow[];
  strategy: StrategyForm;
};

type SpecInput = RouterInputs['services']['deploy']['spec'];

/** A number field: blank and junk become NaN, so the schema reports them next to the field. */
export const typedNumber = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

/** The form for a stored spec. Secrets come without their value: kept unless typed again. */
export function specToForm(spec: ServiceSpecView): SpecForm {
  return {
    image: spec.image,
    tag: spec.tag,
    port: String(spec.port),
    env: spec.env.map((v) =>
      newEnvRow({ name: v.name, value: v.value ?? '', secret: v.secret, kept: v.secret }),
    ),
    health: healthCheckToForm(spec.healthCheck),
    resources: resourcesToForm(spec.resources),
    labels: labelRows(spec.labels),
    strategy: strategyToForm(spec.strategy),
  };
}

/** The spec to send, unchecked: the schema checks it in the browser first and again on the server. */
export function specFromForm(f: SpecForm): SpecInput {
  return {
    image: f.image,
    tag: f.tag,
    port: typedNumber(f.port),
    env: envRowsToInput(f.env),
    healthCheck: healthCheckFromForm(f.health),
    strategy: strategyFromForm(f.strategy),
    resources: resourcesFromForm(f.resources),
    labels: labelsFromRows(f.labels),
  };
}

/** Errors the schema cannot see: a label key typed twice would keep only its last value. */
export function specFormErrors(f: SpecForm): Record<string, string> {
  const twice = duplicateLabelKey(f.labels);
  return twice ? { 'spec.labels': `The label key ${twice} appears twice; each key may appear once.` } : {};
}

type Issue = { path: readonly PropertyKey[]; message: string };
type InputSchema = {
  safeParse: (input: unknown) => { success: true } | { success: false; error: { issues: readonly Issue[] } };
};

/** What to show beside the fields before sending `input` (built from `form`): by path, empty when all is well. */
export function formIssues(schema: InputSchema, input: unknown, form: SpecForm): Record<string, string> {
  const parsed = schema.safeParse(input);
  return { ...(parsed.success ? {} : issuesByPath(parsed.error)), ...specFormErrors(form) };
}

/**
 * A single-node Docker Swarm service of capstan-sample for a bench to compare against, with its front.
 *
 * Swarm serves through its routing mesh where the kernel has IPVS. Where it has not (the mesh's published
 * port never answers), the service runs in DNS round-robin mode behind an HAProxy container on its overlay
 * network that finds the tasks in Swarm's DNS, with the retry settings of Capstan's own proxy.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BALANCING_DEFAULTS, RETRY_ONLY_SAFE_METHODS } from '@/server/proxy/config';
import { waitFor } from '@/server/testing/harness';
import { sampleSpec } from '@/server/testing/harness';
import { docker, poll, sh } from './docker-cli';

/** The health check both systems run in the benches: the sample's /healthz, as Capstan's spec states it. */
export const benchHealth = sampleSpec().healthCheck;

/** `docker service create` options for the same check (the image's own `sample probe`). */
export const swarmHealthArgs = [
  '--health-interval',
  `${benchHealth.intervalSeconds * 1000}ms`,
  '--health-timeout',
  `${benchHealth.timeoutSeconds}s`,
  '--health-retries',
  String(benchHealth.unhealthyThreshold),
  '--health-start-period',
  `${benchHealth.startPeriodSeconds}s`,
];

/** Swarm's rolling update (and rollback) as close to Capstan's default as it goes: one at a time, start first. */
export const swarmUpdateArgs = [
  '--update-order',
  'start-first',
  '--update-parallelism',
  '1',
  '--update-delay',
  '0s',
  '--update-monitor',
  '2s',
  '--update-failure-action',
  'rollback',
  '--rollback-order',
  'start-first',
  '--rollback-parallelism',
  '1',
  '--rollback-monitor',
  '2s',
];

/**
 * An HAProxy image for Swarm's front when the routing mesh cannot serve: this host's HAProxy binary and the
 * libraries it links, `FROM scratch` (there is no registry to pull one from). Built once per binary.
 */
export async function haproxyImage(): Promise<string> {
  const bin = '/usr/sbin/haproxy';
  const hash = crypto
    .createHash('sha256')
    .update(await fs.readFile(bin))
    .digest('hex')
    .slice(0, 12);
  const tag = `capstan-bench-haproxy:${hash}`;
  if (
    await docker('image', 'inspect', tag).then(
      () => true,
      () => false,
    )
  )
    return tag;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'capstan-bench-haproxy-'));
  try {
    const libs = (await sh('ldd', [bin])).stdout.match(/\/\S+/g) ?? [];
    for (const file of [bin, ...libs]) {
      await fs.mkdir(path.join(root, path.dirname(file)), { recursive: true });
      await fs.copyFile(await fs.realpath(file), path.join(root, file));
    }
    await fs.chmod(path.join(root, bin), 0o755);
    const entry = JSON.stringify([bin, '-W', '-db', '-f', '/etc/haproxy/haproxy.cfg']);
    await sh('bash', [
      '-c',
      `tar -C "$1" -c . | docker import -c "ENTRYPOINT $2" - "$3"`,
      '-',
      root,
      entry,
      tag,
    ]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  return tag;
}

/**
 * Swarm's front without the routing mesh: HAProxy on the service's overlay network, finding the tasks in
 * Swarm's DNS (`tasks.<service>`, which lists a task once it is running and healthy) and with the
 * balancing, retry and timeout settings of Capstan's proxy (BALANCING_DEFAULTS). `slots` bounds how many
 * tasks it can serve at once.
 */
export function frontConfig(service: string, slots: number): string {
  return [
    'global',
    '  log stderr format iso local0 warning',
    'resolvers swarm',
    '  nameserver docker 127.0.0.11:53',
    '  accepted_payload_size 8192',
    '  resolve_retries 3',
    '  timeout resolve 250ms',
    '  timeout retry 250ms',
    '  hold valid 1s',
    '  hold obsolete 0s',
    'defaults',
    '  mode http',
    ...BALANCING_DEFAULTS.map((line) => `  ${line}`),
    'frontend web',
    '  bind :80',
    '  default_backend tasks',
    'backend tasks',
    `  ${RETRY_ONLY_SAFE_METHODS}`,
    `  server-template task ${slots} tasks.${service}:8080 resolvers swarm init-addr none`,
    '',
  ].join('\n');
}

export type SwarmService = {
  name: string;
  /** Where the service answers on this host: the routing mesh's published port or the HAProxy front. */
  url: string;
  /** How traffic reaches the tasks, for the bench's notes. */
  via: string;
  /** The service's running containers (what `docker ps` lists), with their images. */
  tasks: () => Promise<{ id: string; image: string }[]>;
};

/**
 * Runs `body` against a Swarm service of `replicas` tasks of capstan-sample:v1 with the bench's health check
 * and `extra` create options, then removes the service, its front and network, and leaves the swarm if it
 * was not active before. Leftovers of an interrupted run of the same name are removed first.
 */
export async function withSwarmService<T>(
  opts: { name: string; replicas: number; slots: number; extra: string[] },
  body: (service: SwarmService) => Promise<T>,
): Promise<T> {
  const { name } = opts;
  const state = await docker('info', '-f', '{{.Swarm.LocalNodeState}}');
  const ours = state !== 'active';
  if (ours) await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
  const net = `${name}-net`;
  const front = `${name}-front`;
  const port = 18000 + Math.floor(Math.random() * 900);
  const url = `http://127.0.0.1:${port}/`;
  const create = (endpoint: string[]) =>
    docker(
      'service',
      'create',
      '--detach=false',
      '--quiet',
      '--name',
      name,
      '--replicas',
      String(opts.replicas),
      '--network',
      net,
      ...endpoint,
      ...swarmHealthArgs,
      ...opts.extra,
      'capstan-sample:v1',
    );
  const answers = (ms: number) =>
    waitFor('swarm endpoint', async () => (await fetch(url).catch(() => null))?.ok, ms).then(
      () => true,
      () => false,
    );
  const tasks = async (all = false) =>
    (
      await docker(
        'ps',
        ...(all ? ['--all'] : []),
        '--filter',
        `label=com.docker.swarm.service.name=${name}`,
        '--format',
        '{{.ID}} {{.Image}}',
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id = '', image = ''] = line.split(' ');
        return { id, image };
      });
  let frontDir: string | null = null;
  try {
    // Leftovers of an interrupted run.
    await docker('rm', '-f', front).catch(() => '');
    await docker('service', 'rm', name).catch(() => '');
    await poll('old swarm tasks gone', async () => (await tasks()).length === 0, 60_000);
    await poll(
      'old swarm network gone',
      () =>
        docker('network', 'rm', net).then(
          () => true,
          (e: Error) => /no such network|not found/i.test(e.message),
        ),
      30_000,
    );
    await docker('network', 'create', '--driver', 'overlay', '--attachable', net);
    // Swarm's own way first: the routing mesh on a published port. It needs IPVS in the kernel.
    await create(['--publish', `published=${port},target=8080`]);
    let via = 'routing mesh';
    if (!(await answers(15_000))) {
      // Without IPVS the published port never answers. Swarm's other mode: DNS round robin and a proxy of
      // one's own on the overlay network, the setup Swarm's documentation gives for external balancers.
      await docker('service', 'rm', name);
      await poll('swarm tasks gone', async () => (await tasks()).length === 0, 60_000);
      await create(['--endpoint-mode', 'dnsrr']);
      frontDir = await fs.mkdtemp(path.join(os.tmpdir(), 'capstan-bench-front-'));
      await fs.writeFile(path.join(frontDir, 'haproxy.cfg'), frontConfig(name, opts.slots));
      await docker(
        'run',
        '-d',
        '--name',
        front,
        '--network',
        net,
        '-p',
        `127.0.0.1:${port}:80`,
        '-v',
        `${frontDir}:/etc/haproxy:ro`,
        await haproxyImage(),
      );
      via = 'DNS round robin + HAProxy (no IPVS for the routing mesh)';
      if (!(await answers(30_000)))
        throw new Error('neither the routing mesh nor the HAProxy front answered');
    }
    return await body({ name, url, via, tasks: () => tasks() });
  } finally {
    await docker('rm', '-f', front).catch(() => '');
    await docker('service', 'rm', name).catch(() => '');
    // Swarm removes a removed service's containers a moment after they stop; left behind if it is left first.
    await poll(
      'swarm task containers removed',
      async () => (await tasks(true).catch(() => [])).length === 0,
      60_000,
    ).catch(() => undefined);
    // The network goes once its last task's endpoint is released, a moment after the task stops.
    await poll(
      'swarm network removed',
      () =>
        docker('network', 'rm', net).then(
          () => true,
          () => false,
        ),
      30_000,
    ).catch(() => undefined);
    if (frontDir) await fs.rm(frontDir, { recursive: true, force: true });
    if (ours) await docker('swarm', 'leave', '--force').catch(() => '');
  }
}

/**
 * When Swarm marked the tasks of these containers `running` (with a health check: once healthy), from each
 * task's status timestamp: Swarm's own verdict, without the CLI's wait for stability after it. The latest of
 * them, in ms since the epoch, or null if one is unknown.
 */
export async function tasksRunningAt(containerIds: string[]): Promise<number | null> {
  if (containerIds.length === 0) return null;
  const tasks = (
    await docker('inspect', '-f', '{{index .Config.Labels "com.docker.swarm.task.id"}}', ...containerIds)
  ).split('\n');
  const out = (
    await docker(
      'inspect',
      '--type',
      'task',
      '-f',
      '{{.Status.State}} {{.Status.Timestamp.Format "2006-01-02T15:04:05.000Z07:00"}}',
      ...tasks,
    )
  ).split('\n');
  let latest = 0;
  for (const line of out) {
    const [state, at] = line.split(' ');
    const t = new Date(at ?? '').getTime();
    if (state !== 'running' || Number.isNaN(t)) return null;
    latest = Math.max(latest, t);
  }
  return latest;
}

'use client';

import { useState, useSyncExternalStore } from 'react';
import type { RouterOutputs } from '@/components/router-types';
import { Button } from '@/components/ui/button';

type Access = RouterOutputs['metrics']['scrapeAccess'];

const noChanges = () => () => {};

/** The bearer token Prometheus sends to GET /api/metrics, hidden until asked for, and a scrape config. */
export function MetricsToken({ access }: { access: Access }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  // The address this console was reached at: known in the browser only (a placeholder while hydrating).
  const host = useSyncExternalStore(
    noChanges,
    () => window.location.host,
    () => 'capstan:3000',
  );
  if (access.token === null) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Metrics are public: anyone who can reach Capstan can read{' '}
        <code className="font-mono">/api/metrics</code> (
        <code className="font-mono">CAPSTAN_METRICS_PUBLIC=true</code>).
      </p>
    );
  }
  const token = access.token;
  const copy = async () => {
    await navigator.clipboard.writeText(token);
    setCopied(true);
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <code
          data-testid="metrics-token"
          className="min-w-0 flex-1 truncate rounded-md border border-zinc-200 bg-zinc-50 px-2 py-1.5 font-mono text-xs dark:border-zinc-800 dark:bg-zinc-950"
        >
          {shown ? token : '•'.repeat(24)}
        </code>
        <Button size="sm" onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide' : 'Show'}
        </Button>
        <Button size="sm" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <pre className="overflow-x-auto rounded-md bg-zinc-50 p-3 font-mono text-xs text-zinc-700 dark:bg-zinc-950 dark:text-zinc-300">
        {`scrape_configs:
  - job_name: capstan
    metrics_path: /api/metrics
    authorization:
      credentials: ${shown ? token : '<the token above>'}
    static_configs:
      - targets: ['${host}']`}
      </pre>
    </div>
  );
}

'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import type { RouterOutputs } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { buttonClasses } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { cx } from '@/components/ui/class-names';
import { EmptyState } from '@/components/ui/empty-state';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Spinner } from '@/components/ui/spinner';

type Line = RouterOutputs['services']['logs']['lines'][number];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Tail, search, follow live and download the logs of a service's replicas. */
export function LogViewer({
  serviceId,
  replicas,
}: {
  serviceId: string;
  replicas: { id: string; name: string }[];
}) {
  const trpc = useTRPC();
  const [containerId, setContainerId] = useState('');
  const [lines, setLines] = useState(200);
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(false);
  const [live, setLive] = useState<Line[]>([]);
  const query = useDebounced(search, 300);
  const input = { serviceId, containerId: containerId || undefined, lines, search: query };
  const tail = useQuery({ ...trpc.services.logs.queryOptions(input), placeholderData: keepPreviousData });
  const sub = useSubscription(
    trpc.services.logsLive.subscriptionOptions(
      { serviceId, containerId: containerId || undefined },
      {
        enabled: follow,
        onData: (line) => {
          if (query && !line.text.toLowerCase().includes(query.toLowerCase())) return;
          setLive((prev) => [...prev.slice(-(lines - 1)), line]);
        },
      },
    ),
  );
  const bottom = useRef<HTMLDivElement>(null);
  const shown = [...(tail.data?.lines ?? []), ...live].slice(-lines);
  useEffect(() => {
    if (follow) bottom.current?.scrollIntoView({ block: 'end' });
  }, [follow, shown.length]);
  const reset = () => setLive([]);
  const download = `/api/services/${serviceId}/logs?${new URLSearchParams({
    lines: String(Math.max(lines, 5000)),
    ...(containerId ? { containerId } : {}),
    ...(query ? { search: query } : {}),
  })}`;

  return (
    <Card className="overflow-hidden">
      <div className="flex flex-wrap items-end gap-3 border-b border-zinc-200 p-3 dark:border-zinc-800">
        <label className="text-xs text-zinc-600 dark:text-zinc-400">
          Replica
          <Select
            className="mt-1 block"
            value={containerId}
            onChange={(e) => {
              reset();
              setContainerId(e.target.value);
            }}
          >
            <option value="">All replicas</option>
            {replicas.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs text-zinc-600 dark:text-zinc-400">
          Lines
          <Select
            className="mt-1 block"
            value={lines}
            onChange={(e) => {
              reset();
              setLines(Number(e.target.value));
            }}
          >
            {[100, 200, 1000, 5000].map((n) => (
              <option key={n} value={n}>
                last {n}
              </option>
            ))}
          </Select>
        </label>
        <label className="min-w-48 flex-1 text-xs text-zinc-600 dark:text-zinc-400">
          Search
          <Input
            className="mt-1"
            type="search"
            placeholder="text in a line, e.g. error"
            value={search}
            onChange={(e) => {
              reset();
              setSearch(e.target.value);
            }}
          />
        </label>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => {
              reset();
              setFollow(e.target.checked);
              if (e.target.checked) void tail.refetch();
            }}
            className="size-4 accent-indigo-600"
          />
          Follow live
          {follow && sub.status === 'pending' && (
            <span className="text-xs text-emerald-600 dark:text-emerald-400">● live</span>
          )}
          {follow && sub.status === 'connecting' && <Spinner className="size-3" />}
        </label>
        <a href={download} className={buttonClasses({ size: 'sm' })} download>
          Download
        </a>
      </div>
      {tail.error && (
        <div className="p-3">
          <Alert tone="error">{tail.error.message}</Alert>
        </div>
      )}
      {tail.isPending ? (
        <div className="flex items-center gap-2 p-6 text-sm text-zinc-500">
          <Spinner className="size-4" /> Reading logs…
        </div>
      ) : shown.length === 0 ? (
        <EmptyState
          title={query ? 'No line matches' : 'No log lines'}
          description={
            query
              ? `Nothing in the last lines contains “${query}”.`
              : 'The replicas have not written anything yet.'
          }
        />
      ) : (
        <div
          className="max-h-[70vh] overflow-auto bg-zinc-950 p-3 font-mono text-[12px] leading-relaxed text-zinc-100"
          role="log"
          aria-live={follow ? 'polite' : 'off'}
          data-testid="log-lines"
        >
          {shown.map((l, i) => (
            <div
              key={`${l.containerId}-${l.at.getTime()}-${i}`}
              className="flex gap-3 whitespace-pre-wrap break-all"
              data-testid="log-line"
            >
              <span className="shrink-0 text-zinc-500 tabular-nums">{l.at.toISOString().slice(11, 23)}</span>
              <span className="w-14 shrink-0 text-indigo-300">{l.replica}</span>
              <span className={cx(l.stream === 'stderr' && 'text-red-300')}>{l.text}</span>
            </div>
          ))}
          <div ref={bottom} />
        </div>
      )}
    </Card>
  );
}

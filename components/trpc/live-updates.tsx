'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from './provider';

/**
 * Subscribes to live state changes (SSE) and refetches what they touch, coalescing bursts.
 * Returns the connection state for a small indicator.
 */
export function useLiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dockerUp, setDockerUp] = useState(true);
  // One refetch per burst of events: a rollout emits many in a few milliseconds.
  const [refetchSoon] = useState(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    return () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() });
      }, 150);
    };
  });
  const sub = useSubscription(
    trpc.activity.live.subscriptionOptions(undefined, {
      onData(event) {
        if (event.type === 'engine') setDockerUp(event.docker === 'up');
        refetchSoon();
      },
    }),
  );
  return { status: sub.status, dockerUp };
}

'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useRef, useState } from 'react';
import { useTRPC } from './provider';

/**
 * Subscribes to live state changes (SSE) and refetches what they touch, coalescing bursts.
 * Returns the connection state for a small indicator.
 */
export function useLiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [dockerUp, setDockerUp] = useState(true);
  const sub = useSubscription(
    trpc.activity.live.subscriptionOptions(undefined, {
      onData(event) {
        if (event.type === 'engine') setDockerUp(event.docker === 'up');
        if (timer.current) return;
        timer.current = setTimeout(() => {
          timer.current = null;
          void queryClient.invalidateQueries({ queryKey: trpc.services.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.activity.events.pathKey() });
        }, 150);
      },
    }),
  );
  return { status: sub.status, dockerUp };
}

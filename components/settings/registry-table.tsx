'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '@/components/errors/describe-error';
import type { RouterOutputs } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { KeyIcon, TrashIcon } from '@/components/ui/icons';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';

type Registry = RouterOutputs['registries']['list'][number];

export function RegistryTable({ registries }: { registries: Registry[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<Registry | null>(null);
  const remove = useMutation(
    trpc.registries.delete.mutationOptions({
      onSuccess: async () => {
        setConfirming(null);
        await queryClient.invalidateQueries({ queryKey: trpc.registries.list.queryKey() });
      },
    }),
  );

  if (registries.length === 0) {
    return (
      <EmptyState
        icon={<KeyIcon className="size-5" />}
        title="No registry credentials"
        description="Public images and images already on this host need none. Add credentials to pull from a private registry."
      />
    );
  }
  return (
    <>
      <Table aria-label="Registry credentials">
        <THead>
          <tr>
            <Th>Host</Th>
            <Th>Username</Th>
            <Th>Password</Th>
            <Th className="text-right">
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </THead>
        <TBody>
          {registries.map((r) => (
            <Tr key={r.id} data-testid={`registry-row-${r.host}`}>
              <Td className="font-mono text-xs font-medium">{r.host}</Td>
              <Td className="text-xs">{r.username}</Td>
              <Td className="text-xs text-zinc-400" title="Stored encrypted; never shown">
                ••••••••
              </Td>
              <Td className="text-right">
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Delete credentials for ${r.host}`}
                  onClick={() => {
                    remove.reset();
                    setConfirming(r);
                  }}
                >
                  <TrashIcon className="size-3.5" /> Delete
                </Button>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <ConfirmDialog
        open={confirming !== null}
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && remove.mutate({ id: confirming.id })}
        title={`Delete credentials for ${confirming?.host}?`}
        description="Images from this registry that are not on this host yet can no longer be pulled."
        confirmLabel="Delete"
        tone="danger"
        pending={remove.isPending}
        error={errorMessage(remove.error)}
      />
    </>
  );
}

'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSessionUser } from '@/components/auth/session';
import { errorMessage } from '@/components/errors/describe-error';
import type { RouterOutputs, Role } from '@/components/router-types';
import { useTRPC } from '@/components/trpc/provider';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { RelativeTime } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { Spinner } from '@/components/ui/spinner';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { ROLE_OPTIONS } from './roles';

type User = RouterOutputs['users']['list'][number];

/** Users with their role (changeable in place) and a confirmed disable/enable. */
export function UserTable({ users }: { users: User[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSessionUser();
  const [confirming, setConfirming] = useState<User | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });

  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSettled: refresh }));
  const setDisabled = useMutation(
    trpc.users.setDisabled.mutationOptions({
      onSuccess: async () => {
        setConfirming(null);
        await refresh();
      },
    }),
  );
  const roleError = errorMessage(setRole.error);

  return (
    <>
      {roleError && (
        <div className="border-b border-zinc-200 p-3 dark:border-zinc-800">
          <Alert title="Role not changed">{roleError}</Alert>
        </div>
      )}
      <Table aria-label="Users">
        <THead>
          <tr>
            <Th>User</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th>Created</Th>
            <Th className="text-right">
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </THead>
        <TBody>
          {users.map((u) => {
            const changing = setRole.isPending && setRole.variables?.userId === u.id;
            return (
              <Tr key={u.id} data-testid={`user-row-${u.email}`}>
                <Td>
                  <p className="font-medium text-zinc-900 dark:text-zinc-100">
                    {u.name}
                    {u.id === me.id && (
                      <span className="ml-1.5 text-xs font-normal text-zinc-400">(you)</span>
                    )}
                  </p>
                  <p className="text-xs text-zinc-500 dark:text-zinc-400">{u.email}</p>
                </Td>
                <Td>
                  <div className="flex items-center gap-2">
                    <Select
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      disabled={changing}
                      className="w-32"
                      onChange={(e) => setRole.mutate({ userId: u.id, role: e.target.value as Role })}
                    >
                      {ROLE_OPTIONS.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </Select>
                    {changing && <Spinner className="size-3.5 text-zinc-400" label="Saving role" />}
                  </div>
                </Td>
                <Td>
                  {u.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
                </Td>
                <Td className="text-xs">
                  <RelativeTime date={u.createdAt} />
                </Td>
                <Td className="text-right">
                  <Button
                    size="sm"
                    variant={u.disabled ? 'secondary' : 'danger-outline'}
                    onClick={() => {
                      setDisabled.reset();
                      setConfirming(u);
                    }}
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </Button>
                </Td>
              </Tr>
            );
          })}
        </TBody>
      </Table>
      <ConfirmDialog
        open={confirming !== null}
        onClose={() => setConfirming(null)}
        onConfirm={() =>
          confirming && setDisabled.mutate({ userId: confirming.id, disabled: !confirming.disabled })
        }
        title={confirming?.disabled ? `Enable ${confirming.email}?` : `Disable ${confirming?.email}?`}
        description={
          confirming?.disabled
            ? 'They can sign in again with their password.'
            : 'They are signed out everywhere at once and cannot sign in until enabled again.'
        }
        confirmLabel={confirming?.disabled ? 'Enable' : 'Disable'}
        tone={confirming?.disabled ? 'primary' : 'danger'}
        pending={setDisabled.isPending}
        error={errorMessage(setDisabled.error)}
      />
    </>
  );
}

import type { Role } from '@/components/router-types';

export const ROLE_OPTIONS: { value: Role; label: string; description: string }[] = [
  { value: 'viewer', label: 'Viewer', description: 'Sees everything, changes nothing.' },
  {
    value: 'developer',
    label: 'Developer',
    description: 'Creates services; changes their own and unprotected ones.',
  },
  { value: 'operator', label: 'Operator', description: 'Changes any service, including protected ones.' },
  { value: 'admin', label: 'Admin', description: 'Everything, plus users, registries and the audit log.' },
];

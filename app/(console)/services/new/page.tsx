import type { Metadata } from 'next';
import { NewServiceClient } from './client';

export const metadata: Metadata = { title: 'New service' };

export default function NewServicePage() {
  return <NewServiceClient />;
}

import { z } from 'zod';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why `host` is not a registry host as Docker reads one in an image reference, or null when it is: a DNS
 * name or IPv4 address, optionally with a port 1–65535, and (so Docker does not take it for a Docker Hub
 * namespace) with a dot, a port, or `localhost`.
 */
export function registryHostProblem(host: string): string | null {
  const m = /^([^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return 'Registry host looks like registry.example.com or localhost:5000';
  const [, name = '', port] = m;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return `Registry port must be 1–65535 (not ${port})`;
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((l) => LABEL.test(l)))
    return 'Registry host looks like registry.example.com or localhost:5000';
  if (labels.every((l) => /^\d+$/.test(l)) && (labels.length !== 4 || labels.some((l) => Number(l) > 255)))
    return `${name} is not an IPv4 address`;
  if (port === undefined && labels.length === 1 && name !== 'localhost')
    return 'A registry host has a dot (registry.example.com), a port (myhost:5000) or is localhost';
  return null;
}

export const registryHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(255, 'Registry host can have at most 255 characters')
  .superRefine((host, ctx) => {
    const problem = registryHostProblem(host);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

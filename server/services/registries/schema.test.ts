import { describe, expect, it } from 'vitest';
import { sampleSpec } from '@/server/testing/harness';
import { serviceSpecSchema } from '../service/schema';
import { saveRegistrySchema } from './credentials';

const hostIssues = (host: string) =>
  saveRegistrySchema.safeParse({ host, username: 'u', password: 'p' }).error?.issues.map((i) => i.message) ??
  [];
const imageIssues = (image: string) =>
  serviceSpecSchema.safeParse(sampleSpec({ image })).error?.issues.map((i) => i.message) ?? [];

describe('registry hosts', () => {
  it('accepts what Docker reads as a registry', () => {
    for (const host of [
      'registry.example.com',
      'ghcr.io',
      'localhost',
      'localhost:5000',
      'myhost:5000',
      '10.0.0.5:443',
      'Registry.Example.com',
    ])
      expect(hostIssues(host), host).toEqual([]);
  });

  it('refuses options, bare names Docker would take for a Hub namespace, and impossible ports', () => {
    expect(hostIssues('--privileged')).toEqual([expect.stringMatching(/looks like registry\.example\.com/)]);
    expect(hostIssues('0b2f6c1e-3c5d-4a8e-9f10-2b3c4d5e6f70')).toEqual([expect.stringMatching(/has a dot/)]);
    expect(hostIssues('localhost:99999')).toEqual(['Registry port must be 1–65535 (not 99999)']);
    expect(hostIssues('localhost:0')).toEqual(['Registry port must be 1–65535 (not 0)']);
    expect(hostIssues('300.1.1.1')).toEqual(['300.1.1.1 is not an IPv4 address']);
    for (const bad of [
      'a..b',
      '-a.com',
      'a-.com',
      'a.com:',
      'a.com:5000:1',
      `${'a'.repeat(64)}.com`,
      'x'.repeat(300),
    ])
      expect(hostIssues(bad), bad).not.toEqual([]);
  });
});

describe('image references', () => {
  it('checks the registry part like a saved registry host', () => {
    expect(imageIssues('localhost:99999/x')).toEqual(['Registry port must be 1–65535 (not 99999)']);
    expect(imageIssues('300.1.1.1/x')).toEqual(['300.1.1.1 is not an IPv4 address']);
    for (const ok of [
      'capstan-sample',
      'library/nginx',
      'localhost:5000/app',
      'ghcr.io/org/app',
      'localhost/app',
    ])
      expect(imageIssues(ok), ok).toEqual([]);
  });
});

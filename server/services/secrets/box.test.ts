import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './box';

describe('SecretBox', () => {
  it('seals and opens, with a fresh nonce every time', () => {
    const box = new SecretBox(crypto.randomBytes(32));
    const a = box.seal('hunter2');
    expect(a).not.toContain('hunter2');
    expect(box.seal('hunter2')).not.toBe(a);
    expect(box.open(a)).toBe('hunter2');
  });

  it('refuses a tampered value or the wrong key', () => {
    const box = new SecretBox(crypto.randomBytes(32));
    const sealed = box.seal('value');
    const raw = Buffer.from(sealed.slice('sealed:v1:'.length), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open('sealed:v1:' + raw.toString('base64'))).toThrow();
    expect(() => new SecretBox(crypto.randomBytes(32)).open(sealed)).toThrow();
  });

  it('generates a key once into the data dir and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-key-'));
    const sealed = SecretBox.load(undefined, dir).seal('persist');
    expect(SecretBox.load(undefined, dir).open(sealed)).toBe('persist');
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

import { describe, expect, it } from 'vitest';
import { auditable, storableText } from './auditable';

describe('auditable input', () => {
  it('keeps ordinary input as it is, secrets redacted', () => {
    expect(
      auditable({
        email: 'a@b.c',
        password: 'hunter2',
        env: [{ name: 'A', value: 'v', secret: true }],
        nested: { token: { deep: 'x' } },
      }),
    ).toEqual({
      email: 'a@b.c',
      password: '[redacted]',
      env: [{ name: 'A', value: '[redacted]', secret: true }],
      nested: { token: '[redacted]' },
    });
  });

  it('turns what a database refuses into plain JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(
      auditable({
        nul: 'a\u0000b',
        ['k\u0000']: 1,
        lone: 'a\ud800b\udc00',
        pair: '😀',
        cyclic,
        big: 12n,
        bad: new Date('x'),
        when: new Date(0),
        nan: Number.NaN,
        map: new Map([['k', 1]]),
        deep,
        fn: () => 1,
      }),
    ).toMatchObject({
      nul: 'a\\u0000b',
      ['k\\u0000']: 1,
      lone: 'a\ufffdb\ufffd',
      pair: '😀',
      cyclic: { self: '[cyclic]' },
      big: '12n',
      bad: 'Invalid Date',
      when: '1970-01-01T00:00:00.000Z',
      nan: 'NaN',
      map: [['k', 1]],
      fn: '[function]',
    });
    expect(JSON.stringify(auditable({ deep }))).toContain('[nested too deep]');
  });

  it('keeps a few KiB at most, whatever the size of the input', () => {
    const sizes = [
      { s: 'x'.repeat(5_000_000) },
      Array.from({ length: 100_000 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`key-${i}`, 'y'.repeat(100)])),
      Array.from({ length: 40 }, () => Array.from({ length: 40 }, () => ({ a: 1, b: 2, c: 3 }))),
    ];
    for (const input of sizes) expect(JSON.stringify(auditable(input)).length).toBeLessThan(8192);
  });

  it('never cuts a surrogate pair in two', () => {
    expect(storableText('ab😀cd', 3)).toBe('ab… (6 characters)');
    expect(storableText('ab😀cd', 4)).toBe('ab😀… (6 characters)');
  });
});

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderConfig, serverName, validateBackends } from './config';
import { parseShowProc, parseShowStat } from './runtime-api';
import { ProxyError, type Backend } from './types';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capstan-cfg-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const A = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6abcd';
const B = 'bbbbbbbbbbbb0000000000000000000000000000000000000000000000000000';
const opts = { adminSocket: path.join(dir, 'admin.sock'), bindHost: '127.0.0.1', requestLogPort: 24999 };
const web = (servers: Backend['servers']): Backend => ({
  serviceId: '0a6c1f9e-2f7e-4a55-9d3e-0c2f8c1d7b11',
  name: "Web 'shop' $HOME",
  listenPort: 18080,
  servers,
});
const api: Backend = { serviceId: 'api', name: 'api', listenPort: 18081, servers: [] };

describe('the HAProxy configuration', () => {
  it('is deterministic and valid for HAProxy', async () => {
    const one = renderConfig(
      [
        web([
          { id: A, host: '127.0.0.1', port: 1000, state: 'ready' },
          { id: B, host: '::1', port: 2000, weight: 5, state: 'drain' },
        ]),
        api,
      ],
      opts,
    );
    const two = renderConfig(
      [
        api,
        web([
          { id: B, host: '::1', port: 2000, weight: 5, state: 'drain' },
          { id: A, host: '127.0.0.1', port: 1000, state: 'ready' },
        ]),
      ],
      opts,
    );
    expect(two.text).toBe(one.text);
    expect(one.text).toContain(`server ${serverName(A)} 127.0.0.1:1000 weight 100\n`);
    expect(one.text).toContain(`server r_bbbbbbbbbbbb [::1]:2000 weight 5 disabled\n`);
    // User text stays inert inside single quotes.
    expect(one.text).toContain("description 'Web _shop_ _HOME'");
    // Every request is logged to Capstan's request log, in the format it parses.
    expect(one.text).toContain('log 127.0.0.1:24999 len 1024 format raw local0 info\n');
    expect(one.text).toContain('log-format "%b %s %ST %Ta"\n');
    const file = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(file, one.text);
    await run('/usr/sbin/haproxy', ['-c', '-q', '-f', file]);
  });

  it('hashes the shape only: servers come and go without a reload', () => {
    const empty = renderConfig([web([])], opts);
    const withServer = renderConfig([web([{ id: A, host: '127.0.0.1', port: 1, state: 'ready' }])], opts);
    const moreServices = renderConfig([web([]), api], opts);
    const otherHost = renderConfig([web([])], { ...opts, bindHost: '0.0.0.0' });
    expect(withServer.shapeHash).toBe(empty.shapeHash);
    expect(moreServices.shapeHash).not.toBe(empty.shapeHash);
    expect(otherHost.shapeHash).not.toBe(empty.shapeHash);
    expect(withServer.text).toContain(`description capstan:${withServer.shapeHash}\n`);
  });

  it('rejects bad input with a clear message', () => {
    const bad = (b: Backend[]) => {
      try {
        validateBackends(b);
      } catch (err) {
        expect(err).toBeInstanceOf(ProxyError);
        return (err as ProxyError).message;
      }
      return 'accepted';
    };
    const s = { id: A, host: '127.0.0.1', port: 80, state: 'ready' as const };
    expect(bad([web([s]), { ...api, listenPort: 18080 }])).toMatch(/both want port 18080/);
    expect(bad([{ ...api, serviceId: 'a b; show info' }])).toMatch(/not a valid name/);
    expect(bad([web([s, { ...s, port: 81 }])])).toMatch(/listed twice/);
    expect(bad([web([{ ...s, host: 'localhost' }])])).toMatch(/not an IP address/);
    expect(bad([web([{ ...s, id: 'xyz' }])])).toMatch(/not a container id/);
    expect(bad([web([{ ...s, weight: 300 }])])).toMatch(/not in 0\.\.256/);
    expect(bad([web([s]), api])).toBe('accepted');
  });
});

describe('runtime API answers', () => {
  it('parses show proc with old workers', () => {
    const proc = parseShowProc(
      [
        '#<PID>          <type>          <reloads>       <uptime>        <version>',
        '27081           master          73 [failed: 2]  0d00h04m35s     2.6.12-1+deb12u4',
        '# workers',
        '6721            worker          0               0d00h00m01s     2.6.12-1+deb12u4',
        '# old workers',
        '3007            worker          1               0d00h01m53s     2.6.12-1+deb12u4',
        '# programs',
        '',
      ].join('\n'),
    );
    expect(proc).toEqual({
      masterPid: 27081,
      reloads: 73,
      failedReloads: 2,
      workers: [6721],
      oldWorkers: [3007],
    });
  });

  it('parses show stat by column name', () => {
    const rows = parseShowStat(
      '# pxname,svname,scur,status,req_tot,\nbe_x,r_1,2,DRAIN,40,\nbe_x,BACKEND,2,UP,40,\n\n',
    );
    expect(rows).toEqual([
      { pxname: 'be_x', svname: 'r_1', scur: '2', status: 'DRAIN', req_tot: '40' },
      { pxname: 'be_x', svname: 'BACKEND', scur: '2', status: 'UP', req_tot: '40' },
    ]);
  });
});

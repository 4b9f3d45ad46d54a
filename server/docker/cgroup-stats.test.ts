import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CgroupStatsReader, parseMountinfo, parseNetDev, parseProcCgroup } from './cgroup-stats';

const ID = 'a'.repeat(64);
let root = '';

async function write(rel: string, text: string) {
  const file = path.join(root, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1200      15    0    0    0     0          0         0      3400      12    0    0    0     0       0          0
  eth1:      30       1    0    0    0     0          0         0        40       1    0    0    0     0       0          0
`;

describe('cgroup file formats', () => {
  it('finds v1 hierarchies, comounted ones included, and the v2 mount in mountinfo', () => {
    const m = parseMountinfo(
      [
        '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
        '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
        '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
        '39 31 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
      ].join('\n'),
    );
    expect(m.v1.get('cpuacct')).toEqual({ mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' });
    expect(m.v1.get('memory')?.mountPoint).toBe('/sys/fs/cgroup/memory');
    expect(m.v2).toEqual({ mountPoint: '/sys/fs/cgroup/unified', root: '/' });
  });

  it('reads a process cgroup file of v1, hybrid and v2 hosts', () => {
    const hybrid = parseProcCgroup(`4:memory:/docker/${ID}\n2:cpu,cpuacct:/docker/${ID}\n0::/docker/${ID}\n`);
    expect(hybrid.v1.get('cpuacct')).toBe(`/docker/${ID}`);
    expect(hybrid.v2).toBe(`/docker/${ID}`);
    expect(parseProcCgroup(`0::/system.slice/docker-${ID}.scope\n`)).toEqual({
      v1: new Map(),
      v2: `/system.slice/docker-${ID}.scope`,
    });
  });

  it('sums network bytes of every interface but loopback', () => {
    expect(parseNetDev(NET_DEV)).toEqual({ rx: 1230, tx: 3440 });
  });
});

describe('a cgroup v2 host (systemd driver)', () => {
  const PID = 4242;
  const scope = `sys/fs/cgroup/system.slice/docker-${ID}.scope`;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'capstan-cgroup-'));
    await write(
      'proc/self/mountinfo',
      '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n',
    );
    await write(`proc/${PID}/cgroup`, `0::/system.slice/docker-${ID}.scope\n`);
    await write(`proc/${PID}/net/dev`, NET_DEV);
    await write(`proc/777/cgroup`, `0::/user.slice/other.scope\n`);
    await write('sys/fs/cgroup/cgroup.controllers', 'cpuset cpu io memory pids\n');
    await write(`${scope}/cpu.stat`, 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n');
    await write(`${scope}/memory.current`, '52428800\n');
    await write(
      `${scope}/memory.stat`,
      'anon 31457280\nfile 20971520\nactive_file 10485760\ninactive_file 8388608\n',
    );
    await write(
      `${scope}/io.stat`,
      '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n259:0 rbytes=1000 wbytes=0 rios=1 wios=0\n',
    );
  });
  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('reads CPU, memory (minus inactive file), block I/O and network of the container', async () => {
    const reader = new CgroupStatsReader({ proc: path.join(root, 'proc'), fsRoot: root });
    expect(await reader.read(ID, PID)).toEqual({
      cpuUsageNs: 2_500_000_000,
      memUsageBytes: 52_428_800,
      memWorkingSetBytes: 52_428_800 - 8_388_608,
      netRxBytes: 1230,
      netTxBytes: 3440,
      blkReadBytes: 5096,
      blkWriteBytes: 8192,
    });
  });

  it('reads the files anew each time, however long they grow', async () => {
    const reader = new CgroupStatsReader({ proc: path.join(root, 'proc'), fsRoot: root });
    expect((await reader.read(ID, PID))?.cpuUsageNs).toBe(2_500_000_000);
    // Written in place, as the kernel's files change: a memory.stat longer than the read buffer.
    await write(`${scope}/cpu.stat`, 'usage_usec 3000000\nuser_usec 2400000\nsystem_usec 600000\n');
    const padding = Array.from({ length: 2000 }, (_, i) => `padding_${i} ${i}`).join('\n');
    await write(`${scope}/memory.stat`, `anon 1\n${padding}\ninactive_file 1048576`);
    expect(await reader.read(ID, PID)).toMatchObject({
      cpuUsageNs: 3_000_000_000,
      memWorkingSetBytes: 52_428_800 - 1_048_576,
    });
    reader.close();
  });

  it('does not trust a pid that is not in the container, and then leaves the sample to the stats API', async () => {
    const reader = new CgroupStatsReader({ proc: path.join(root, 'proc'), fsRoot: root });
    // The cgroup is still found at the standard location, but without the container's own network
    // namespace the reading is incomplete.
    expect(await reader.read(ID, 777)).toBeNull();
    expect(await reader.read('b'.repeat(64), PID)).toBeNull();
  });
});

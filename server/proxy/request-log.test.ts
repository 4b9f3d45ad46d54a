import { describe, expect, it } from 'vitest';
import { parseRequestLine, RequestLog } from './request-log';

describe('the proxy request log', () => {
  it('parses the lines of our log format and ignores anything else', () => {
    expect(parseRequestLine('be_svc-1 r_0123456789ab 200 12')).toEqual({
      serviceId: 'svc-1',
      containerId: '0123456789ab',
      status: 200,
      latencyMs: 12,
    });
    expect(parseRequestLine('be_svc-1 <NOSRV> 503 0')).toEqual({
      serviceId: 'svc-1',
      containerId: null,
      status: 503,
      latencyMs: 0,
    });
    expect(parseRequestLine('be_svc-1 r_0123456789ab -1 -1')).toEqual({
      serviceId: 'svc-1',
      containerId: '0123456789ab',
      status: -1,
      latencyMs: null,
    });
    expect(parseRequestLine('')).toBeNull();
    expect(parseRequestLine('fe_svc-1 r_x 200 1')).toBeNull();
    expect(parseRequestLine('be_svc-1 r_x 200')).toBeNull();
  });

  it('counts requests, 5xx answers and latencies per service and per replica, and resets on take', () => {
    const log = new RequestLog(0);
    log.ingest('be_a r_1 200 3\nbe_a r_1 500 7\n');
    log.ingest('be_b <NOSRV> 503 0\n');
    log.ingest('be_a r_2 200 3\n');
    const [a, b] = log.take().sort((x, y) => (x.serviceId < y.serviceId ? -1 : 1));
    expect(a).toEqual({
      serviceId: 'a',
      requests: 3,
      errors5xx: 1,
      latencyMs: new Map([
        [3, 2],
        [7, 1],
      ]),
      replicas: new Map([
        [
          '1',
          {
            requests: 2,
            errors5xx: 1,
            latencyMs: new Map([
              [3, 1],
              [7, 1],
            ]),
          },
        ],
        ['2', { requests: 1, errors5xx: 0, latencyMs: new Map([[3, 1]]) }],
      ]),
    });
    // HAProxy's own answer, with no server to send it to, is the service's alone.
    expect(b).toEqual({
      serviceId: 'b',
      requests: 1,
      errors5xx: 1,
      latencyMs: new Map([[0, 1]]),
      replicas: new Map(),
    });
    expect(log.take()).toEqual([]);
  });
});

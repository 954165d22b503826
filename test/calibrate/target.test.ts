import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { isLoopback, parseTarget } from '../../src/calibrate/target.js';

describe('calibrate targets', () => {
  it('accepts loopback addresses only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '[::1]', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['10.0.0.1', '0.0.0.0', '192.168.1.1', 'example.com', 'localhost.example.com', '128.0.0.1', '::', '[::2]', '']) {
      expect(isLoopback(host), host).toBe(false);
    }
  });

  it('parses Redis and PostgreSQL URLs, localhost as 127.0.0.1, and hides the password', () => {
    expect(parseTarget('redis://127.0.0.1:6380')).toMatchObject({ kind: 'redis', host: '127.0.0.1', port: 6380 });
    expect(parseTarget('redis://localhost')).toMatchObject({ kind: 'redis', host: '127.0.0.1', port: 6379 });
    const pg = parseTarget('postgresql://app:s3cret@127.0.0.1:5433/staging');
    expect(pg).toMatchObject({ kind: 'postgresql', host: '127.0.0.1', port: 5433, user: 'app', password: 's3cret', database: 'staging' });
    expect(pg.display).not.toContain('s3cret');
    expect(parseTarget('postgres://u@[::1]:5432/db')).toMatchObject({ kind: 'postgresql', host: '::1' });
  });

  it('refuses other hosts, schemes and malformed URLs with a UsageError', () => {
    for (const url of [
      'redis://10.1.2.3:6379',
      'postgresql://u@db.internal:5432/x',
      'redis://0.0.0.0:6379',
      'mysql://127.0.0.1/x',
      'not a url',
      'redis://127.0.0.1/abc',
    ]) {
      expect(() => parseTarget(url), url).toThrow(UsageError);
    }
    expect(() => parseTarget('redis://10.1.2.3:6379')).toThrow(/not a loopback address/);
  });
});

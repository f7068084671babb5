import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('gives defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', NODE_ENV: 'development', DATA_DIR: './data', WAITING_DAYS: 10 });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('converts numbers and booleans from strings', () => {
    const c = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', DB_POOL_MAX: '3' });
    expect(c.PORT).toBe(8080);
    expect(c.TRUST_PROXY).toBe(true);
    expect(c.DB_POOL_MAX).toBe(3);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DB_POOL_MAX', '0'],
    ['WAITING_DAYS', '-1'],
  ])('refuses %s=%s with a one-line message naming the variable', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`${name}:`)).toBe(true);
    expect(msg).toContain(JSON.stringify(value));
    expect(msg).not.toContain('\n');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });
});

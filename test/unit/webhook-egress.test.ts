import { isInternalAddress, WebhookEgress } from '../../src/http/webhook-egress';

describe('webhook egress policy', () => {
  // Every notation WHATWG URL parsing (and so fetch/http) turns into an internal address.
  it.each([
    'http://127.0.0.1/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://127.1/',
    'http://0177.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::1]/',
    'http://[::]/',
    'http://0.0.0.0/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://169.254.169.254/',
    'http://[fd00:ec2::254]/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://[64:ff9b::7f00:1]/',
    'http://[::ffff:a00:1]/',
  ])('treats %s as internal', (url) => {
    expect(isInternalAddress(new URL(url).hostname)).toBe(true);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '::ffff:8.8.8.8'])('treats %s as public', (a) => {
    expect(isInternalAddress(a)).toBe(false);
  });

  it('lets WEBHOOK_ALLOW_HOSTS open names, addresses and ranges, and nothing else', async () => {
    const none = new WebhookEgress('', async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(await none.screen(new URL('http://localhost:1/'))).toBe('refused');
    expect(await none.screen(new URL('http://127.0.0.1:1/'))).toBe('refused');
    const egress = new WebhookEgress(' localhost , 10.0.0.0/8, ::1 ', async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(await egress.screen(new URL('http://LOCALHOST.:1/'))).toBe('allowed');
    expect(await egress.screen(new URL('http://10.9.8.7/'))).toBe('allowed');
    expect(await egress.screen(new URL('http://[::1]/'))).toBe('allowed');
    expect(await egress.screen(new URL('http://127.0.0.1/'))).toBe('refused');
    expect(await egress.screen(new URL('http://other.example/'))).toBe('refused');
    expect(() => egress.checkLiteral(new URL('http://192.168.0.1/'))).toThrow('internal address');
  });

  it('lets a name through that does not resolve now (it is checked again on connect)', async () => {
    const egress = new WebhookEgress('', async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    });
    expect(await egress.screen(new URL('https://hooks.example.org/h'))).toBe('unresolved');
  });

  it('refuses a name any of whose addresses is internal', async () => {
    const egress = new WebhookEgress('', async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ]);
    expect(await egress.screen(new URL('https://mixed.example/'))).toBe('refused');
  });

  it.each(['10.0.0.0/33', 'http://x', '1.2.3.4/8/9', 'a b', '::1/129'])('refuses the allow-list entry %s', (entry) => {
    expect(() => new WebhookEgress(entry)).toThrow(/WEBHOOK_ALLOW_HOSTS/);
  });
});

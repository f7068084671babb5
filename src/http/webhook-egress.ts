/**
 * Where webhook deliveries may connect (docs/webhooks.md "Where a webhook may point"). A webhook
 * URL is chosen by whoever holds the admin scope, and the service connects from inside the
 * network: without a check it would POST to loopback, private and cloud-metadata addresses and
 * report their connection errors back (a port scanner). Internal addresses are refused unless
 * WEBHOOK_ALLOW_HOSTS names them; the check runs when a URL is saved and again at connect time,
 * in the DNS lookup of the delivery agent, so a name that re-resolves to 127.0.0.1 is caught.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Resolves a host name to every address it has (dns.lookup with all: true by default). */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/** A connection the policy refused; shown to callers only as "refused by policy". */
export class EgressRefused extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(host: string) {
    super(`webhook host ${host} resolves to an internal address`);
    this.name = 'EgressRefused';
  }
}

/**
 * Ranges no webhook reaches unless allowed: unspecified, loopback, private (RFC 1918), CGNAT,
 * link-local (with the metadata address 169.254.169.254), ULA (with fd00:ec2::254), multicast,
 * and the reserved and documentation ranges. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are
 * checked against the IPv4 ranges by BlockList itself; NAT64 addresses by their embedded IPv4.
 */
const INTERNAL_RANGES: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible ones.
  ['::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  // 6to4 embeds any IPv4 address; it has no use for a webhook receiver today.
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const INTERNAL = new BlockList();
for (const [net, prefix, type] of INTERNAL_RANGES) INTERNAL.addSubnet(net, prefix, type);

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** Lowercase, without IPv6 brackets or a trailing dot: the form hosts are compared in. */
function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The IPv4 address embedded in a NAT64 address (64:ff9b::/96), or null. */
function nat64Embedded(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const groups = expandIPv6(address);
  if (!groups || groups[0] !== 0x64 || groups[1] !== 0xff9b || groups.slice(2, 6).some((g) => g !== 0)) return null;
  const [hi, lo] = [groups[6]!, groups[7]!];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail included), or null. */
function expandIPv6(address: string): number[] | null {
  let a = address.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    a = `${a.slice(0, -dotted[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** Whether an IP address lies in a range a webhook may not reach by default. */
export function isInternalAddress(address: string): boolean {
  const a = normaliseHost(address);
  if (INTERNAL.check(a, family(a))) return true;
  const embedded = nat64Embedded(a);
  return embedded !== null && INTERNAL.check(embedded, 'ipv4');
}

const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** What saving a URL may go on with: allowed, refused, or a name that does not resolve now. */
export type Screening = 'allowed' | 'refused' | 'unresolved';

/**
 * The egress policy of webhook deliveries: the internal ranges, minus what WEBHOOK_ALLOW_HOSTS
 * names (host names, IP addresses, CIDR ranges).
 */
export class WebhookEgress {
  private readonly allowedNames = new Set<string>();
  private readonly allowedAddresses = new BlockList();

  /**
   * @param allowSetting WEBHOOK_ALLOW_HOSTS: comma-separated host names, addresses and CIDRs
   * @param resolve the resolver (dns.lookup with all: true); tests inject one to re-resolve a name
   * @throws Error naming the first entry that is none of the three
   */
  constructor(
    allowSetting: string,
    private readonly resolve: Resolve = systemResolve,
  ) {
    for (const raw of allowSetting.split(',')) {
      const entry = normaliseHost(raw);
      if (entry === '') continue;
      const [net, bits, extra] = entry.split('/');
      if (bits !== undefined && extra === undefined && isIP(normaliseHost(net!)) && /^\d{1,3}$/.test(bits)) {
        const addr = normaliseHost(net!);
        const max = isIP(addr) === 4 ? 32 : 128;
        if (Number(bits) <= max) {
          this.allowedAddresses.addSubnet(addr, Number(bits), family(addr));
          continue;
        }
      } else if (bits === undefined && isIP(entry)) {
        this.allowedAddresses.addAddress(entry, family(entry));
        continue;
      } else if (bits === undefined && HOSTNAME.test(entry)) {
        this.allowedNames.add(entry);
        continue;
      }
      throw new Error(`WEBHOOK_ALLOW_HOSTS: ${JSON.stringify(raw.trim())} is not a host name, an IP address or a CIDR range`);
    }
  }

  private permits(address: string): boolean {
    const a = normaliseHost(address);
    return !isInternalAddress(a) || this.allowedAddresses.check(a, family(a));
  }

  /**
   * Checks the host of a URL being saved. A name that does not resolve now is let through: it is
   * checked again, like every name, when a delivery connects.
   */
  async screen(url: URL): Promise<Screening> {
    const host = normaliseHost(url.hostname);
    if (this.allowedNames.has(host)) return 'allowed';
    if (isIP(host)) return this.permits(host) ? 'allowed' : 'refused';
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      return 'unresolved';
    }
    if (addresses.length === 0) return 'unresolved';
    return addresses.every((a) => this.permits(a.address)) ? 'allowed' : 'refused';
  }

  /**
   * Refuses a URL whose host is an internal IP literal. Connections to a literal do no lookup,
   * so this is their connect-time check; names are checked by `lookup`.
   * @throws EgressRefused
   */
  checkLiteral(url: URL): void {
    const host = normaliseHost(url.hostname);
    if (isIP(host) && !this.allowedNames.has(host) && !this.permits(host)) throw new EgressRefused(host);
  }

  /**
   * The DNS lookup of the delivery agents: resolves every address of the name and refuses the
   * connection when any of them is internal and not allowed (a name with one public and one
   * internal address could otherwise be steered to the internal one).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const host = normaliseHost(hostname);
    const checked = this.resolve(host).then((all) => {
      const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
      if (!this.allowedNames.has(host) && !all.every((a) => this.permits(a.address))) throw new EgressRefused(host);
      if (wanted.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
      return wanted;
    });
    void checked.then(
      (wanted) => (options.all ? callback(null, wanted) : callback(null, wanted[0]!.address, wanted[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

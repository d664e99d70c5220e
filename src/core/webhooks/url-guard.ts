/**
 * @module The SSRF guard: webhooks call URLs customers type in, from inside the operator's network,
 * so they must not reach loopback, private, link-local or cloud metadata addresses unless the
 * operator allows those networks. Checked when a webhook is registered (a clear 400) and again on
 * every connection, through the socket's own DNS lookup, so a name that later resolves elsewhere
 * (DNS rebinding) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { appError, errors } from '../errors.js'

export interface UrlGuard {
  /** The URL, parsed, when webhooks may call it; otherwise an AppError naming `field`. */
  checkUrl(url: string, field: string): Promise<URL>
  /** Why webhooks may not call this IP address, or undefined when they may. */
  refusal(address: string): string | undefined
  /** A node:net `lookup` that fails for refused addresses; pass it to every outgoing request. */
  readonly lookup: LookupFunction
}

export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>

export interface UrlGuardOptions {
  /** CIDRs (`127.0.0.0/8`, `fd12::/16`) or single addresses webhooks may call although they are refused by default. */
  readonly allowedNetworks: readonly string[]
  /** Resolves a host name to every address; the system resolver by default. */
  readonly resolve?: Resolver
  readonly resolveTimeoutMs?: number
}

type Family = 'ipv4' | 'ipv6'

/** Refused by default, most specific first: the first match names the reason. */
const refusedRanges: readonly (readonly [reason: string, family: Family, network: string, prefix: number])[] = [
  ['a cloud metadata address', 'ipv4', '169.254.169.254', 32],
  ['a cloud metadata address', 'ipv6', 'fd00:ec2::254', 128],
  ['a cloud metadata address', 'ipv4', '100.100.100.200', 32],
  ['a loopback address', 'ipv4', '127.0.0.0', 8],
  ['a loopback address', 'ipv6', '::1', 128],
  ['an unspecified address', 'ipv4', '0.0.0.0', 8],
  ['an unspecified address', 'ipv6', '::', 128],
  ['a link-local address', 'ipv4', '169.254.0.0', 16],
  ['a link-local address', 'ipv6', 'fe80::', 10],
  ['a private address', 'ipv4', '10.0.0.0', 8],
  ['a private address', 'ipv4', '172.16.0.0', 12],
  ['a private address', 'ipv4', '192.168.0.0', 16],
  ['a private address', 'ipv4', '100.64.0.0', 10],
  ['a private address', 'ipv6', 'fc00::', 7],
  ['a reserved address', 'ipv4', '192.0.0.0', 24],
  ['a reserved address', 'ipv4', '198.18.0.0', 15],
  ['a reserved address', 'ipv4', '240.0.0.0', 4],
  ['a reserved address', 'ipv6', 'fec0::', 10],
  ['a multicast address', 'ipv4', '224.0.0.0', 4],
  ['a multicast address', 'ipv6', 'ff00::', 8],
]

function familyOf(address: string): Family | undefined {
  const version = isIP(address)
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined
}

/** `[::1]` → `::1`, and drops an IPv6 zone (`fe80::1%eth0`). */
const bare = (host: string): string => host.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')

/** The eight 16-bit groups of an IPv6 address, with a dotted IPv4 tail folded in. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase()
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : [])
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

/**
 * The IPv4 address an IPv6 address carries in its last 32 bits, for the prefixes that translate to
 * IPv4 (BlockList unwraps only ::ffff:a.b.c.d itself): NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
 * IPv4-compatible ::/96 and SIIT ::ffff:0:0/96.
 */
function nat64Embedded(address: string): string | undefined {
  const g = ipv6Groups(address)
  if (!g) return undefined
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  const translated =
    (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) ||
    (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) ||
    (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) ||
    (zeros(0, 4) && g[4] === 0xffff && g[5] === 0)
  if (!translated) return undefined
  return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.')
}

function parseNetwork(entry: string): readonly [string, number, Family] {
  const [address = '', prefixText] = entry.trim().split('/')
  const family = familyOf(address)
  const full = family === 'ipv4' ? 32 : 128
  const prefix = prefixText === undefined ? full : Number(prefixText)
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > full) {
    throw new Error(`'${entry}' is not an IP address or CIDR network (CHAT4ALL_WEBHOOK_ALLOWED_NETWORKS)`)
  }
  return [address, prefix, family]
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  )

export function createUrlGuard(options: UrlGuardOptions): UrlGuard {
  const allowed = new BlockList()
  for (const entry of options.allowedNetworks) {
    const [address, prefix, family] = parseNetwork(entry)
    allowed.addSubnet(address, prefix, family)
  }
  const refused = refusedRanges.map(([reason, family, network, prefix]) => {
    const list = new BlockList()
    list.addSubnet(network, prefix, family)
    return { reason, family, list }
  })
  const resolve = options.resolve ?? systemResolver
  const resolveTimeoutMs = options.resolveTimeoutMs ?? 5_000

  const refusal = (input: string): string | undefined => {
    const address = bare(input)
    const family = familyOf(address)
    if (!family) return 'not an IP address'
    if (allowed.check(address, family)) return undefined
    // IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) match IPv4 ranges in BlockList already.
    const embedded = family === 'ipv6' ? nat64Embedded(address) : undefined
    if (embedded !== undefined) return refusal(embedded)
    return refused.find((range) => range.list.check(address, family))?.reason
  }

  /** Every address of the host, refusing the lot when any is refused: a mixed answer is suspect. */
  const addressesOf = async (host: string): Promise<readonly LookupAddress[]> => {
    const addresses = await withTimeout(resolve(host), resolveTimeoutMs, `resolving ${host}`)
    if (addresses.length === 0) throw new Error(`${host} has no address`)
    for (const { address } of addresses) {
      const reason = refusal(address)
      if (reason) throw Object.assign(new Error(`${host} resolves to ${address}, ${reason}`), { refused: true })
    }
    return addresses
  }

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    addressesOf(hostname).then(
      (addresses) => {
        const family = lookupOptions.family === 6 || lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family === 4 ? 4 : 0
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family)
        const first = usable[0]
        if (!first) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0)
        if (lookupOptions.all) callback(null, [...usable])
        else callback(null, first.address, first.family)
      },
      (error: Error) => callback(error, '', 0),
    )
  }

  return {
    refusal,
    lookup,
    async checkUrl(text, field) {
      let url: URL
      try {
        url = new URL(text)
      } catch {
        throw errors.validation(field, `'${field}' is not an absolute URL`)
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw errors.validation(field, `'${field}' must be an http or https URL`)
      if (url.username || url.password) {
        throw errors.validation(field, `'${field}' must not carry credentials; verify the Chat4All-Signature header instead`)
      }
      const host = bare(url.hostname)
      if (familyOf(host)) {
        const reason = refusal(host)
        if (reason) throw appError('url_not_allowed', `'${field}' points at ${host}, ${reason}`, { field })
        return url
      }
      try {
        await addressesOf(host)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        if ((error as { refused?: boolean }).refused) throw appError('url_not_allowed', `'${field}': ${message}`, { field })
        throw appError('url_unresolvable', `'${field}': the host ${host} does not resolve (${message})`, { field })
      }
      return url
    },
  }
}

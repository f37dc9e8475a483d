/**
 * The tab host's cryptography. Every page of the origin can open the tab host's BroadcastChannel,
 * so nothing secret may cross it in clear and no address may be taken over: each tab and each host
 * makes an ephemeral ECDH P-256 key pair (WebCrypto, the private key not extractable), an address
 * starts with the fingerprint of its owner's public key, and one tab link's traffic with one host
 * is AES-GCM under keys derived (HKDF) from ECDH(tab, host), one key per direction, the frame
 * counter as the nonce. A frame that does not decrypt, or comes again, is dropped. Compiles under
 * the DOM and the WebWorker libs: the host's worker uses it too.
 */
/** An ephemeral key pair and the fingerprint that names its owner on the channel. */
export interface KeyPair {
  /** The raw (uncompressed point) public key, sent to the peer. */
  readonly publicKey: ArrayBuffer
  readonly privateKey: CryptoKey
  /** 32 hex digits of SHA-256 over the public key: a host's id, a tab address's prefix. */
  readonly fingerprint: string
}

/** One sealed frame: its counter (also the nonce) and the AES-GCM ciphertext of the JSON data. */
export interface Sealed {
  n: number
  box: ArrayBuffer
}

/** One link's keys with one host, as one side of it. */
export interface LinkCipher {
  /** Encrypts the next frame; call in the order the frames go out. */
  seal(data: unknown): Promise<Sealed>
  /** The frame's data, or {@link DROPPED} when it is forged, corrupt or a replay. */
  open(frame: Sealed): Promise<unknown>
}

/**
 * What {@link LinkCipher.open} returns for a frame that must not be delivered.
 * @example
 * const data = await cipher.open(frame); if (data === DROPPED) drops++
 */
export const DROPPED: unique symbol = Symbol('tabrelay.dropped')

const CURVE = { name: 'ECDH', namedCurve: 'P-256' } as const
// Marked pure: a bundle that takes only canSeal() (every tab's host strategy) drops them.
const encoder = /* @__PURE__ */ new TextEncoder()
const decoder = /* @__PURE__ */ new TextDecoder()

// WebCrypto exists only in secure contexts (https, localhost); TabHost checks canSeal() first.
const subtle = (): SubtleCrypto => globalThis.crypto.subtle

/**
 * Whether this context can seal tab host traffic (WebCrypto is there).
 * @example
 * const host = canSeal() ? 'leader-tab' : 'dedicated'
 */
export function canSeal(): boolean {
  return (globalThis.crypto as Crypto | undefined)?.subtle !== undefined
}

/**
 * A fresh ECDH P-256 key pair whose private key never leaves WebCrypto.
 * @example
 * const pair = await makeKeyPair(); channel.postMessage({ key: pair.publicKey })
 */
export async function makeKeyPair(): Promise<KeyPair> {
  const pair = await subtle().generateKey(CURVE, false, ['deriveBits'])
  const publicKey = await subtle().exportKey('raw', pair.publicKey)
  return { publicKey, privateKey: pair.privateKey, fingerprint: await fingerprint(publicKey) }
}

/**
 * The fingerprint of a raw public key (128 bits of SHA-256, hex).
 * @example
 * if (await fingerprint(announcement.key) !== announcement.hostId) ignore()
 */
export async function fingerprint(publicKey: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', publicKey))
  let hex = ''
  for (const byte of digest.subarray(0, 16)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * The secret shared by `own` and the owner of `peerKey` (ECDH), as HKDF key material; rejects for
 * a key that is not a P-256 point.
 * @example
 * const secret = await sharedSecret(tabPair, announcement.key)
 */
export async function sharedSecret(own: KeyPair, peerKey: ArrayBuffer): Promise<CryptoKey> {
  const peer = await subtle().importKey('raw', peerKey, CURVE, false, [])
  const bits = await subtle().deriveBits({ name: 'ECDH', public: peer }, own.privateKey, 256)
  return subtle().importKey('raw', bits, 'HKDF', false, ['deriveKey'])
}

function derive(secret: CryptoKey, info: string): Promise<CryptoKey> {
  const params = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`tabrelay tab host ${info}`) }
  return subtle().deriveKey(params, secret, { name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt'])
}

// 96-bit nonce: the frame counter, unique per key (one key per link and direction).
function nonce(n: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12)
  const view = new DataView(iv.buffer)
  view.setUint32(4, Math.floor(n / 2 ** 32))
  view.setUint32(8, n >>> 0)
  return iv
}

/**
 * The keys of link `address` with host `hostId`, as `side`: what the tab seals the host opens and
 * the other way round. Counters start at 1; a frame whose counter is not above the last one
 * opened is a replay.
 * @example
 * const cipher = await linkCipher(secret, hostId, 'ab12…:1', 'tab'); post(await cipher.seal(message))
 */
export async function linkCipher(secret: CryptoKey, hostId: string, address: string, side: 'tab' | 'host'): Promise<LinkCipher> {
  const [toHost, toTab] = await Promise.all([derive(secret, `${hostId} ${address} to host`), derive(secret, `${hostId} ${address} to tab`)])
  const [sendKey, openKey] = side === 'tab' ? [toHost, toTab] : [toTab, toHost]
  let sent = 0
  let opened = 0
  return {
    async seal(data) {
      const n = ++sent
      // JSON: what crosses is Comlink's plain messages around the protocol's Json values.
      const plain = encoder.encode(JSON.stringify(data) ?? 'null')
      return { n, box: await subtle().encrypt({ name: 'AES-GCM', iv: nonce(n) }, sendKey, plain) }
    },
    async open(frame) {
      const { n, box } = frame
      if (!Number.isSafeInteger(n) || n <= opened || !(box instanceof ArrayBuffer)) return DROPPED
      let plain: ArrayBuffer
      try {
        plain = await subtle().decrypt({ name: 'AES-GCM', iv: nonce(n) }, openKey, box)
      } catch {
        return DROPPED
      }
      // Only an authentic frame moves the counter: a forged one with a huge n blocks nothing.
      if (n <= opened) return DROPPED
      opened = n
      return JSON.parse(decoder.decode(plain)) as unknown
    },
  }
}

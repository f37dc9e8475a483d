/**
 * The tab host's link keys (src/contract/seal.ts) with Node's WebCrypto: a frame opens once, on its
 * own link and direction only; a changed, replayed or foreign frame is dropped, and a forged
 * counter does not block the real ones that follow.
 */
import { describe, expect, it } from 'vitest'
import { DROPPED, fingerprint, linkCipher, makeKeyPair, sharedSecret, type KeyPair, type LinkCipher } from '../../../src/contract/seal.ts'

async function pair(tab: KeyPair, host: KeyPair, address = `${tab.fingerprint}:1`): Promise<{ tab: LinkCipher; host: LinkCipher }> {
  const [tabSecret, hostSecret] = await Promise.all([sharedSecret(tab, host.publicKey), sharedSecret(host, tab.publicKey)])
  return { tab: await linkCipher(tabSecret, host.fingerprint, address, 'tab'), host: await linkCipher(hostSecret, host.fingerprint, address, 'host') }
}

describe('seal', () => {
  it('makes a non-extractable private key and a fingerprint of the public key', async () => {
    const keys = await makeKeyPair()
    expect(keys.privateKey.extractable).toBe(false)
    expect(keys.fingerprint).toMatch(/^[0-9a-f]{32}$/)
    await expect(fingerprint(keys.publicKey)).resolves.toBe(keys.fingerprint)
    expect((await makeKeyPair()).fingerprint).not.toBe(keys.fingerprint)
  })

  it('opens what the other side sealed, both ways, with the JSON data intact', async () => {
    const link = await pair(await makeKeyPair(), await makeKeyPair())
    const message = { id: 'x', type: 'APPLY', path: ['hello'], argumentList: [{ type: 'RAW', value: { token: 'secret', n: [1, null, 'é'] } }] }
    await expect(link.host.open(await link.tab.seal(message))).resolves.toEqual(message)
    await expect(link.tab.open(await link.host.seal('answer'))).resolves.toBe('answer')
    // The ciphertext does not contain the plain text.
    const sealed = await link.tab.seal({ token: 'secret-token-value' })
    expect(new TextDecoder().decode(sealed.box)).not.toContain('secret-token-value')
  })

  it('drops a replay, a changed byte, a frame of its own direction and a frame of another link', async () => {
    const [tab, host] = [await makeKeyPair(), await makeKeyPair()]
    const link = await pair(tab, host)
    const other = await pair(tab, host, `${tab.fingerprint}:2`)
    const first = await link.tab.seal('one')
    await expect(link.host.open(first)).resolves.toBe('one')
    await expect(link.host.open(first)).resolves.toBe(DROPPED)
    const second = await link.tab.seal('two')
    const changed = new Uint8Array(second.box.slice(0))
    changed[3] = (changed[3] ?? 0) ^ 0x80
    await expect(link.host.open({ n: second.n, box: changed.buffer })).resolves.toBe(DROPPED)
    await expect(link.tab.open(second)).resolves.toBe(DROPPED)
    await expect(other.host.open(second)).resolves.toBe(DROPPED)
    await expect(link.host.open(second)).resolves.toBe('two')
  })

  it('drops a frame sealed by a third key pair, and a forged huge counter blocks nothing', async () => {
    const [tab, host, evil] = [await makeKeyPair(), await makeKeyPair(), await makeKeyPair()]
    const link = await pair(tab, host)
    // The attacker knows both public keys and the address, not either private key.
    const forger = await linkCipher(await sharedSecret(evil, host.publicKey), host.fingerprint, `${tab.fingerprint}:1`, 'tab')
    const forged = await forger.seal('bye')
    await expect(link.host.open({ n: 2 ** 40, box: forged.box })).resolves.toBe(DROPPED)
    await expect(link.host.open(forged)).resolves.toBe(DROPPED)
    await expect(link.host.open(await link.tab.seal('real'))).resolves.toBe('real')
  })
})

/**
 * Issue 31 (identity is never guessed), end to end: two users whose access tokens carry Django
 * SimpleJWT's integer `user_id` and no `sub`, in one browser profile, against a real Django
 * Channels server (daphne on Redis), real SharedWorker. Before, both were the identity `anon`: one
 * socket, the second user's sends went out as the first. Sockets are counted by the server.
 */
import { SignJWT } from 'jose'
import type { Page } from '@playwright/test'
import { DEV_JWT_SECRET } from '../../demo/server/index.ts'
import { expect } from './support/fixtures.ts'
import { conversation, messagesOf, openInboxTabs, socketsOfUser, test, type InboxUser } from './support/inbox.ts'
import { waitUntil } from './support/wait.ts'

/** A SimpleJWT-style access token (`token_type`, integer `user_id`, `jti`) for a user id of this test only. */
async function simpleJwtUser(offset: number): Promise<InboxUser> {
  const info = test.info()
  const userId = (Number.parseInt(info.testId.slice(0, 6), 16) * 16 + offset) * 8 + info.project.name.length
  const nowS = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ token_type: 'access', user_id: userId, jti: `${userId}-${nowS}`, iat: nowS, exp: nowS + 300 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(DEV_JWT_SECRET))
  return { sub: String(userId), name: String(userId), token }
}

/** Who sent each message `page` received on `topic`, by message. */
function sendersOf(page: Page, topic: string): Promise<Record<string, string>> {
  return page.evaluate((t) => Object.fromEntries(window.ws.received(t).map((m) => [m.message, String(m.sender_id)])), topic)
}

test('two users with SimpleJWT user_id tokens in one profile: two sockets, each send goes out as its own user, sign-out closes that user\'s socket', async ({ context, django }) => {
  const [one, two] = [await simpleJwtUser(1), await simpleJwtUser(2)]
  const room = conversation('shared')
  const ones = await openInboxTabs(context, 2, django.one, one, [room])
  const twos = await openInboxTabs(context, 2, django.one, two, [room])
  await waitUntil(async () => [await socketsOfUser(django.one, one.sub), await socketsOfUser(django.one, two.sub)], ([a, b]) => a === 1 && b === 1, { what: 'one socket per user' })
  await ones[0]?.evaluate((t) => window.ws.send(t, 'from one'), room)
  await twos[0]?.evaluate((t) => window.ws.send(t, 'from two'), room)
  for (const page of [...ones, ...twos]) {
    await waitUntil(() => messagesOf(page, room), (list) => list.length >= 2, { what: 'both messages' })
    expect(await messagesOf(page, room)).toHaveLength(2)
    expect(await sendersOf(page, room)).toEqual({ 'from one': one.sub, 'from two': two.sub })
  }
  // User two signs out in both tabs: their socket closes (within the linger), user one's stays.
  for (const page of twos) await page.evaluate(() => window.ws.signOut())
  await waitUntil(() => socketsOfUser(django.one, two.sub), (n) => n === 0, { what: "user two's socket closed", timeoutMs: 10_000 })
  await ones[1]?.evaluate((t) => window.ws.send(t, 'after sign-out'), room)
  await waitUntil(() => messagesOf(ones[0] as Page, room), (list) => list.includes('after sign-out'), { what: 'the message after sign-out' })
  for (const page of twos) expect(await messagesOf(page, room)).not.toContain('after sign-out')
  expect(await socketsOfUser(django.one, one.sub)).toBe(1)
})

/**
 * The demo's WebSocket mode on the Django project (issue 24's demo item), started as
 * `DEMO_INBOX=django npm run demo` starts it (demo/django.ts: a throw-away Redis and daphne, the
 * demo users): alice signs in (SimpleJWT; a wrong password first, refused) in one tab and her second
 * tab finds the session, bob signs in in a third tab of the same profile; each tab shows the room's
 * stored messages on open; the server counts one socket per user; daphne killed shows the retry banner; what bob sends meanwhile
 * (through a second daphne of the deployment, and typed in his tab) reaches every tab exactly once
 * after the restart, by the worker's `since` replay and outbox, with no resync note; the access
 * token that expired meanwhile is refreshed by the page for the reconnect.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { djangoPageUrl, startDemoDjango, type DemoDjango } from '../../demo/django.ts'
import { startInboxServer } from '../servers/django.ts'
import { jwtClaims } from '../../demo/jwt.ts'
import { inboxStats, InboxClient } from '../unit/inbox/client.ts'
import { demoPageForFile, roomOf } from './support/demo.ts'
import { expect, test as base } from './support/fixtures.ts'
import { waitUntil } from './support/wait.ts'

// SimpleJWT access tokens live 6 s here, so the one alice's tabs hold expires while daphne is down.
const ACCESS_TOKEN_S = 6

const test = base.extend<object, { django: DemoDjango }>({
  django: [async ({}, use) => {
    const django = await startDemoDjango({ accessTokenS: ACCESS_TOKEN_S })
    await use(django)
    await django.close()
  }, { scope: 'worker' }],
})
const demo = demoPageForFile(test)

async function openChat(context: BrowserContext, url: string, password: string | null): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  if (password !== null) {
    await page.getByTestId('login-password').fill(`${password}-wrong`)
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toContainText('401')
    await page.getByTestId('login-password').fill(password)
    await page.getByTestId('login-submit').click()
  }
  await expect(page.getByTestId('channel-status')).toHaveAttribute('data-status', 'SUBSCRIBED')
  return page
}

async function socketsAt(httpUrl: string): Promise<{ sockets: number; users: Record<string, number> }> {
  const { sockets, users } = await inboxStats(`${httpUrl}/stats`)
  return { sockets, users }
}

/** The `exp` (ms) of the access token the demo page keeps for `username` (django-session.ts). */
async function storedExpiry(page: Page, api: string, username: string): Promise<number> {
  const stored = await page.evaluate((key) => localStorage.getItem(key), `tabrelay-demo-django:${api}:${username}`)
  const pair = JSON.parse(stored ?? '{}') as { access?: string }
  return Number(jwtClaims(pair.access ?? '')['exp']) * 1000
}

/** A socket with `access` on `url` that sends `messages` to `room` and waits for its own copies (they are stored then). */
async function store(url: string, access: string, room: string, messages: string[]): Promise<void> {
  const client = await InboxClient.open(url, access)
  client.send({ type: 'subscribe', conversation_id: room })
  for (const message of messages) client.send({ type: 'TEXT', conversation_id: room, message })
  await client.until((frames) => (messages.every((m) => frames.some((f) => f['message'] === m)) ? true : undefined), 'the stored copies')
  await client.close()
}

test('alice (2 tabs) and bob (1 tab) sign in, see the history, share 2 sockets; daphne restarted: the banner, then what bob sent meanwhile once, no resync', async ({ context, django }) => {
  const { inbox } = django
  const room = roomOf(test.info().testId)
  const [alice, bob] = django.users
  if (alice === undefined || bob === undefined) throw new Error('the demo has no alice and bob')
  await store(inbox.url, (await inbox.token('carol')).access, room, ['before 1', 'before 2'])
  // Another daphne of the deployment (same Redis and database), as behind a load balancer; the
  // tabs' socket goes to the first one only. It starts (~2 s) while the tabs open.
  const starting = startInboxServer({ redisUrl: django.redis.url })
  try {
    const aliceTab = await openChat(context, djangoPageUrl(demo.url, inbox, alice.username, room), alice.password)
    // Her second tab finds her stored tokens: no sign-in.
    const aliceSecondTab = await openChat(context, djangoPageUrl(demo.url, inbox, alice.username, room), null)
    const bobTab = await openChat(context, djangoPageUrl(demo.url, inbox, bob.username, room), bob.password)
    const everyone = [aliceTab, aliceSecondTab, bobTab]
    for (const page of everyone) {
      await expect(page.getByTestId('message-text')).toHaveText(['before 1', 'before 2'])
      await expect(page.getByTestId('login-form')).toHaveCount(0)
    }
    await expect(aliceTab.getByTestId('user-name')).toHaveText('Alice (Django user 1)')
    await expect(bobTab.getByTestId('user-name')).toHaveText('Bob (Django user 2)')
    await expect.poll(() => socketsAt(inbox.httpUrl)).toEqual({ sockets: 2, users: { 1: 1, 2: 1 } })
    for (const page of [aliceTab, aliceSecondTab]) await expect(page.getByTestId('user-connections')).toHaveText('1')

    const other = await starting
    await inbox.kill()
    for (const page of everyone) await expect(page.getByTestId('connection-banner')).toBeVisible()
    await store(other.url, (await other.token(bob.username)).access, room, ['sent while daphne was down'])
    await bobTab.getByTestId('chat-input').fill('typed while daphne was down')
    await bobTab.getByTestId('chat-send').click()
    await expect(bobTab.getByTestId('message-queued')).toHaveText(['typed while daphne was down'])
    // The access token the tabs connected with expires before daphne is back: the reconnect needs
    // a refreshed one (accessToken() refreshes it once, for every tab of alice).
    const expiredAt = await storedExpiry(aliceTab, inbox.httpUrl, alice.username)
    await waitUntil(() => Date.now(), (now) => now > expiredAt, { what: "alice's access token expired", timeoutMs: (ACCESS_TOKEN_S + 2) * 1000 })
    await inbox.start()
    const expected = ['before 1', 'before 2', 'sent while daphne was down', 'typed while daphne was down']
    for (const page of everyone) {
      // The messages are what proves the reconnect done, not the banner: a socket opened with the
      // expired token is `open` (the banner hides) until daphne closes it 4401 and the hub comes
      // back with a refreshed token, after its retry delay (CI, Firefox: 10 s were not enough).
      await expect(page.getByTestId('message-text')).toHaveText(expected, { timeout: 30_000 })
      await expect(page.getByTestId('connection-banner')).toBeHidden({ timeout: 20_000 })
      await expect(page.getByTestId('message-queued')).toHaveCount(0)
      await expect(page.getByTestId('chat-note')).toHaveCount(0)
    }
    await expect.poll(() => socketsAt(inbox.httpUrl)).toEqual({ sockets: 2, users: { 1: 1, 2: 1 } })
    expect(await storedExpiry(aliceSecondTab, inbox.httpUrl, alice.username)).toBeGreaterThan(expiredAt)
  } finally {
    await starting.then((other) => other.stop(), () => undefined)
  }
})

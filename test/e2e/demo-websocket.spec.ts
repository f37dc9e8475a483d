/**
 * The demo's `?transport=websocket` mode (issue 14) as a user sees it: the same chat over the
 * plain WebSocket transport, first on the demo server's own `/ws/inbox/`, then with `wsUrl=` on a
 * Django Channels server that is killed (banner with "Retry now") and started again.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect } from './support/fixtures.ts'
import { conversation, socketsOfUser, test } from './support/inbox.ts'
import { demoPageForFile } from './support/demo.ts'

const demo = demoPageForFile(test)

async function openDemo(context: BrowserContext, user: string, room: string, wsUrl?: string): Promise<Page> {
  const page = await context.newPage()
  const url = new URL(demo.url)
  for (const [key, value] of Object.entries({ transport: 'websocket', user, room, ...(wsUrl ? { wsUrl } : {}) })) url.searchParams.set(key, value)
  await page.goto(url.toString())
  await expect(page.getByTestId('channel-status')).toHaveAttribute('data-status', 'SUBSCRIBED')
  return page
}

test('three tabs of one user: one socket on the server, each message once in every tab with the sender_name', async ({ context }) => {
  const room = conversation('demo')
  const user = `ws-${room}`.slice(0, 32)
  const pages = [await openDemo(context, user, room), await openDemo(context, user, room), await openDemo(context, user, room)]
  await pages[1]?.getByTestId('chat-input').fill('hello over one socket')
  await pages[1]?.getByTestId('chat-send').click()
  for (const page of pages) {
    await expect(page.getByTestId('message-text')).toHaveText(['hello over one socket'])
    await expect(page.getByTestId('message-sender')).toHaveText([user])
    await expect(page.getByTestId('headline')).toHaveText('3 tabs · 1 socket')
    await expect(page.getByTestId('user-connections')).toHaveText('1')
  }
})

test('wsUrl= on Django: the server killed shows the banner whose "Retry now" calls reconnect(); started again, the banner goes and the chat flows', async ({ context, django }) => {
  const room = conversation('banner')
  const user = `wsb-${room}`.slice(0, 32)
  const [a, b] = [await openDemo(context, user, room, django.one.url), await openDemo(context, user, room, django.one.url)]
  await expect.poll(() => socketsOfUser(django.one, user)).toBe(1)
  await django.one.kill()
  for (const page of [a, b]) await expect(page.getByTestId('connection-banner')).toBeVisible()
  // The button is clicked while the server is down (the banner is certain to show): the hub's own
  // backoff may reconnect before a click after the restart could land.
  const calls = await a.evaluate(async () => {
    const relay = window.relay
    if (!relay) throw new Error('no relay on the page')
    let count = 0
    const reconnect = relay.reconnect.bind(relay)
    relay.reconnect = () => { count++; return reconnect() }
    document.querySelector<HTMLButtonElement>('[data-testid="retry-now"]')?.click()
    return count
  })
  expect(calls).toBe(1)
  await django.one.start()
  for (const page of [a, b]) {
    await expect(page.getByTestId('status')).toHaveText('open')
    await expect(page.getByTestId('connection-banner')).toBeHidden()
  }
  await b.getByTestId('chat-input').fill('back again')
  await b.getByTestId('chat-send').click()
  for (const page of [a, b]) await expect(page.getByTestId('message-text')).toHaveText(['back again'])
  expect(await socketsOfUser(django.one, user)).toBe(1)
})

/**
 * The demo's `?transport=socketio` mode (issue 27) as a user sees it: the same chat over the
 * Socket.IO transport, here against the suite's two socket.io nodes on one Redis (the same room
 * server as `npm run demo` starts, demo/server/socketio.ts).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect } from './support/fixtures.ts'
import { demoPageForFile } from './support/demo.ts'
import { test, unique } from './support/socketio.ts'

const demo = demoPageForFile(test)

async function openDemo(context: BrowserContext, user: string, room: string, sio: string): Promise<Page> {
  const page = await context.newPage()
  const url = new URL(demo.url)
  for (const [key, value] of Object.entries({ transport: 'socketio', sio, user, room })) url.searchParams.set(key, value)
  await page.goto(url.toString())
  await expect(page.getByTestId('channel-status')).toHaveAttribute('data-status', 'SUBSCRIBED')
  return page
}

test('three tabs of alice and one of bob in a room: 2 Socket.IO connections; each message once in every tab, with its sender', async ({ context, cluster }) => {
  const room = unique('demo')
  const [alice, bob] = [`a-${room}`.slice(0, 32), `b-${room}`.slice(0, 32)]
  const alices = [await openDemo(context, alice, room, cluster.url), await openDemo(context, alice, room, cluster.url), await openDemo(context, alice, room, cluster.url)]
  const bobsTab = await openDemo(context, bob, room, cluster.url)
  const bobs = [bobsTab]
  await expect.poll(async () => [await cluster.sockets(alice), await cluster.sockets(bob)]).toEqual([1, 1])
  await alices[1]?.getByTestId('chat-input').fill('hello over one Socket.IO connection')
  await alices[1]?.getByTestId('chat-send').click()
  await expect(bobsTab.getByTestId('message-text')).toHaveText(['hello over one Socket.IO connection'])
  await bobsTab.getByTestId('chat-input').fill('hi alice')
  await bobsTab.getByTestId('chat-send').click()
  for (const page of [...alices, ...bobs]) {
    await expect(page.getByTestId('message-text')).toHaveText(['hello over one Socket.IO connection', 'hi alice'])
    await expect(page.getByTestId('message-sender')).toHaveText([alice, bob])
  }
})

/**
 * The demo's `?transport=sse` mode: three tabs of one user chat over ONE stream of the demo
 * server's SSE endpoint; a message typed in one tab shows in all three, and the panel counts the
 * streams at the server; the Online card says why it has no presence.
 */
import { expect, test } from './support/fixtures.ts'
import { demoPageForFile } from './support/demo.ts'

const demo = demoPageForFile(test)

test('?transport=sse: three tabs share one stream; a message sent in one shows in every tab once', async ({ context }) => {
  const room = `sse-${test.info().testId.slice(0, 6)}`
  const pages = []
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage()
    await page.goto(`${demo.url}?transport=sse&user=dora&room=${room}`)
    await expect(page.getByTestId('channel-status')).toHaveText('live')
    // The stream opened while the hub answered the first hello: the tab must not stay 'connecting'.
    await expect(page.getByTestId('status')).toHaveText('open')
    pages.push(page)
  }
  const [first] = pages
  if (!first) throw new Error('no page')
  await expect(first.getByTestId('server-connections')).toHaveText('1')
  await expect(first.getByTestId('headline')).toHaveText('3 tabs · 1 stream')
  // The Online card says why it lists nobody (an SSE stream carries no presence).
  await expect(first.getByTestId('presence')).toHaveText('no presence over Server-Sent Events: a stream only carries messages to the tabs')
  await first.getByTestId('chat-input').fill('hello over SSE')
  await first.getByTestId('chat-send').click()
  for (const page of pages) await expect(page.getByTestId('message-text')).toHaveText(['hello over SSE'])
})

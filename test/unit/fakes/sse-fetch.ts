/**
 * A hand-driven `fetch` for the SSE transport's unit tests: every request is recorded, and the
 * test answers it with a status and pushes the stream's bytes itself, so ids, `retry:` lines and
 * silences are exact and no server timing is involved.
 */
import { waitFor } from '../helpers/realtime.ts'

/**
 * One request the transport made, and the controls of its answer.
 * @example
 * const request = await fetcher.next(); request.answer(200); request.push(': hi\n\n')
 */
export interface FakeRequest {
  url: URL
  method: string
  headers: Record<string, string>
  body: string | null
  signal: AbortSignal | null
  /** Answers with `status`; a 200 gets a body the test pushes to. */
  answer(status: number, headers?: Record<string, string>): void
  push(text: string): void
  /** Ends the body as a server closing the stream does. */
  end(): void
}

/**
 * The fake; `fetch` is what the transport gets.
 * @example
 * const fetcher = new FakeFetch(); sseTransport({ fetch: fetcher.fetch })
 */
export class FakeFetch {
  readonly requests: FakeRequest[] = []

  readonly fetch: typeof fetch = (input, init) => new Promise<Response>((resolve, reject) => {
    const encoder = new TextEncoder()
    let controller: ReadableStreamDefaultController<Uint8Array> | null = null
    const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c } })
    const signal = init?.signal ?? null
    signal?.addEventListener('abort', () => {
      reject(new DOMException('aborted', 'AbortError'))
      try { controller?.error(new DOMException('aborted', 'AbortError')) } catch { /* already closed */ }
    })
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]))
    this.requests.push({
      url: new URL(String(input)), method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? init.body : null, signal,
      answer: (status, extra = {}) => resolve(new Response(status === 200 ? body : null, { status, headers: extra })),
      push: (text) => controller?.enqueue(encoder.encode(text)),
      end: () => controller?.close(),
    })
  })

  /** Request number `index` (0-based), once the transport made it (bounded wait). */
  request(index: number): Promise<FakeRequest> {
    return waitFor(() => this.requests[index], 3000, `request #${index}`)
  }
}

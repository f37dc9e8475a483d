'use client'
/**
 * `/`: the client is created at module scope and joins `?topic=`; Next bundles the hub from the
 * `new URL('./realtime.worker.ts', import.meta.url)` below, with the app's own realtime-js.
 */
import { createSharedRealtime, workerName } from 'tabrelay/supabase'
import { ChannelView } from './channel-view'

const params = new URLSearchParams(location.search)
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
})
const room = realtime.channel(params.get('topic') ?? 'room:next')

export function Room() {
  return <ChannelView room={room} tab={params.get('tab') ?? '?'} />
}

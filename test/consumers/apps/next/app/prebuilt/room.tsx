'use client'
/**
 * `/prebuilt`: the same page with the prebuilt, self-contained hub that `prebuild` copies from
 * tabrelay's dist/ to public/, served as /tabrelay.worker.js.
 */
import { createSharedRealtime, workerName } from 'tabrelay/supabase'
import { ChannelView } from '../channel-view'

const params = new URLSearchParams(location.search)
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  worker: () => new SharedWorker('/tabrelay.worker.js', { type: 'module', name: workerName() }),
})
const room = realtime.channel(params.get('topic') ?? 'room:next-prebuilt')

export function Room() {
  return <ChannelView room={room} tab={params.get('tab') ?? '?'} />
}

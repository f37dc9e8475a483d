/**
 * Contender 2, what apps do today: every tab its own supabase-js client, socket and channels.
 */
import { createClient, type RealtimeChannel } from '@supabase/supabase-js'
import type { Contender, StartOptions } from './contract.ts'

/**
 * Resolves once the channel is SUBSCRIBED, rejects on the first error status.
 * @example
 * await joined(client.channel('room:1'))
 */
export function joined(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else if (status !== 'CLOSED') reject(new Error(`${channel.topic}: ${status} ${error?.message ?? ''}`))
    })
  })
}

/**
 * Starts one tab's own client and joins every topic.
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: false, onEvent })
 */
export async function start(options: StartOptions): Promise<Contender> {
  // Defaults on purpose: createClient(url, anonKey) is what apps ship.
  const client = createClient(options.url, options.apikey)
  const channels = options.topics.map((topic) =>
    client.channel(topic).on('broadcast', { event: '*' }, (message) => options.onEvent(topic, message.payload)),
  )
  await Promise.all(channels.map(joined))
  return {
    async send(topic, event, payload) {
      const channel = channels.find((c) => c.subTopic === topic)
      if (channel === undefined) return 'error'
      return channel.send({ type: 'broadcast', event, payload })
    },
    isLeader: () => true,
    async close() {
      await client.removeAllChannels()
    },
  }
}

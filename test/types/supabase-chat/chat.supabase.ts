// A typical supabase-js chat component (messages, presence, typing, system messages, cleanup).
// chat.tabrelay.ts is this file with only the owner import changed (test/unit/types.test.ts checks).
import { client } from './owner.supabase.ts'
import type { RealtimePostgresInsertPayload } from '@supabase/supabase-js'

interface Message {
  id: number
  room: string
  name: string
  text: string
}

interface Member {
  name: string
  typing: boolean
}

export function mountChat(room: string, me: string, render: (lines: string[], typing: string[]) => void): () => Promise<void> {
  const lines: string[] = []
  let typing: string[] = []
  const channel = client.channel(`room:${room}`, { config: { broadcast: { self: true, ack: true }, presence: { key: me } } })
  channel
    .on<{ name: string; text: string }>('broadcast', { event: 'message' }, ({ payload }) => {
      lines.push(`${payload.name}: ${payload.text}`)
      render(lines, typing)
    })
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `room=eq.${room}` }, (change: RealtimePostgresInsertPayload<Message>) => {
      lines.push(`#${change.new.id} ${change.new.name}: ${change.new.text}`)
      render(lines, typing)
    })
    .on('presence', { event: 'sync' }, () => {
      const state = channel.presenceState<Member>()
      typing = Object.values(state).flat().filter((member) => member.typing && member.name !== me).map((member) => member.name)
      render(lines, typing)
    })
    .on<Member>('presence', { event: 'join' }, ({ key, newPresences }) => {
      lines.push(`${key} joined as ${newPresences.map((p) => p.name).join(', ')}`)
    })
    .on('system', {}, (payload) => {
      console.info('system', payload)
    })
    .subscribe(async (status, err) => {
      if (status === 'SUBSCRIBED') await channel.track({ name: me, typing: false })
      if (err) console.warn(err.message)
    }, 5_000)
  const send = async (text: string): Promise<boolean> => {
    const result = await channel.send({ type: 'broadcast', event: 'message', payload: { name: me, text } }, { timeout: 2_000 })
    return result === 'ok'
  }
  void send('hello')
  void channel.httpSend('message', { name: me, text: 'over http' }).then((result) => { if (!result.success) console.warn(result.error) })
  return async () => {
    await channel.untrack()
    await channel.unsubscribe()
    await client.removeChannel(channel)
  }
}

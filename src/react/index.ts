/**
 * tabrelay for React: hooks over one shared connection (`useSyncExternalStore`, SSR-safe). Give
 * the provider either client; every hook renders on the server with a `connecting` snapshot.
 * @example
 * import { RelayProvider, useChannel, useEvent, useSend } from 'tabrelay/react'
 * function Chat() {
 *   const room = useChannel('room:1')
 *   useEvent<{ text: string }>(room, 'message', (m) => console.log(m.text))
 *   const send = useSend(room)
 *   return <button onClick={() => void send('message', { text: 'hi' })}>{room.state}</button>
 * }
 * <RelayProvider client={() => createSharedRealtime(options)}><Chat /></RelayProvider>
 */
export { RelayProvider, useRelay, type RelayProviderProps } from './provider.ts'
export { useChannel, type ChannelHandle } from './use-channel.ts'
export { useEvent, useResync } from './use-event.ts'
export { usePresence, useTrack } from './use-presence.ts'
export { useSend } from './use-send.ts'
export { useConnectionStatus, useIsLeader, useUpdateAvailable, type ConnectionState } from './use-connection.ts'
export type { UpdateInfo } from '../core/deploy.ts'
export type { ConnectionSnapshot } from './connection.ts'
export type { ChannelSnapshot } from './entry.ts'
export type { RealtimeClient, RawChannel, ChannelHookOptions, EventMessage } from './backend.ts'

'use client'
/**
 * Loads the rooms in the browser only. tabrelay 0.1 starts its worker when the client is created,
 * and prerendering would run a room's module scope on the server, where `SharedWorker` does not
 * exist (`RelayError: worker() threw (SharedWorker is not defined)` at `next build`).
 */
import dynamic from 'next/dynamic'

export const RoomLoader = dynamic(() => import('./room').then((m) => m.Room), { ssr: false })
export const PrebuiltRoomLoader = dynamic(() => import('./prebuilt/room').then((m) => m.Room), { ssr: false })

/**
 * The provider: which client the hooks below it use. On the server (SSR, Next.js app router)
 * there is no worker, so it takes `null` or a factory it calls only in the browser, after mount.
 */
import { createContext, createElement, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { Clock } from '../contract/clock.ts'
import type { RealtimeClient } from './backend.ts'
import { registryOf, type Registry } from './registry.ts'

/**
 * What the hooks read from the provider; both `null` on the server and before a factory ran.
 * @example
 * const { client } = useRelayContext()
 */
export interface RelayContextValue {
  client: RealtimeClient | null
  registry: Registry | null
}

const RelayContext = createContext<RelayContextValue | undefined>(undefined)
const NO_CLIENT: RelayContextValue = Object.freeze({ client: null, registry: null })

/**
 * Props of {@link RelayProvider}.
 * @example
 * <RelayProvider client={() => createSharedRealtime(options)} lingerMs={1000}>…</RelayProvider>
 */
export interface RelayProviderProps {
  /**
   * The client (`createRelay()` or `createSharedRealtime()`), `null` where there is none (the
   * server), or a factory called once in the browser after mount; keep a factory's identity
   * stable (a module-level function), it is called once per function.
   */
  client: RealtimeClient | null | (() => RealtimeClient)
  /** How long a channel stays after its last hook left; default 1 000 ms. */
  lingerMs?: number
  /** For tests; the system clock otherwise. */
  clock?: Clock
  children?: ReactNode
}

// A factory's client, made once even when StrictMode runs the effect twice; the provider never
// closes it: the app owns the client's life (sign-out, `close()`).
const made = new WeakMap<() => RealtimeClient, RealtimeClient>()

function make(factory: () => RealtimeClient): RealtimeClient {
  const existing = made.get(factory)
  if (existing) return existing
  const client = factory()
  made.set(factory, client)
  return client
}

/**
 * Gives the hooks below it a client.
 * @example
 * // app/providers.tsx ('use client'): the factory runs in the browser only, never during SSR.
 * const connect = () => createSharedRealtime({ url, apikey, worker })
 * export const Providers = ({ children }) => <RelayProvider client={connect}>{children}</RelayProvider>
 */
export function RelayProvider(props: RelayProviderProps): ReactNode {
  const { client: given, lingerMs, clock, children } = props
  const [lazy, setLazy] = useState<RealtimeClient | null>(null)
  useEffect(() => {
    if (typeof given === 'function') setLazy(make(given))
  }, [given])
  const client = typeof given === 'function' ? (lazy !== null && made.get(given) === lazy ? lazy : null) : given
  const value = useMemo<RelayContextValue>(() => {
    if (client === null) return NO_CLIENT
    const options = lingerMs === undefined ? { clock } : { lingerMs, clock }
    return { client, registry: registryOf(client, options) }
  }, [client, lingerMs, clock])
  return createElement(RelayContext.Provider, { value }, children)
}

/**
 * The provider's client and registry; throws when a hook is used outside a {@link RelayProvider}.
 * @example
 * const { client, registry } = useRelayContext()
 */
export function useRelayContext(): RelayContextValue {
  const value = useContext(RelayContext)
  if (value === undefined) throw new Error('tabrelay/react: wrap the app in <RelayProvider client={…}> (client may be null on the server)')
  return value
}

/**
 * The provider's client, for what the hooks do not cover (`setAuth()` on sign-in and sign-out,
 * `stats()`, `close()`); `null` on the server and until a factory given to the provider ran.
 * @example
 * const realtime = useRelay()
 * const signOut = () => void realtime?.setAuth(null)
 */
export function useRelay(): RealtimeClient | null {
  return useRelayContext().client
}

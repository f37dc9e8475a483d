/**
 * `tabrelay/devtools/react`: `<TabrelayDevtools client={relay} />`, the panel as a React
 * component. Its own entry, so neither `tabrelay/react` nor `tabrelay/devtools` grows or needs React.
 * @example
 * import { TabrelayDevtools } from 'tabrelay/devtools/react'
 * {import.meta.env.DEV && <TabrelayDevtools client={relay} />}
 */
import { createElement, useEffect, useRef, type ReactElement } from 'react'
import { mountDevtools, type MountOptions } from './index.ts'
import type { Inspectable } from './model.ts'

/** Props of {@link TabrelayDevtools}. */
export interface TabrelayDevtoolsProps extends Omit<MountOptions, 'target'> {
  client: Inspectable
}

/**
 * Mounts the panel for `client` inside a `<div>` while the component is mounted.
 * @example
 * <TabrelayDevtools client={relay} collapsed />
 */
export function TabrelayDevtools({ client, context, collapsed }: TabrelayDevtoolsProps): ReactElement {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const target = host.current
    if (!target) return undefined
    return mountDevtools(client, { target, ...(context ? { context } : {}), ...(collapsed ? { collapsed } : {}) })
  }, [client, context, collapsed])
  return createElement('div', { ref: host, 'data-testid': 'tabrelay-devtools-react' })
}

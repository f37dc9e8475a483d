/**
 * The few DOM helpers the demo needs instead of a framework.
 */

type Child = Node | string

/**
 * Creates an element with attributes (`testid` becomes `data-testid`) and children.
 * @example
 * h('li', { class: 'user', testid: 'user' }, 'alice')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key === 'testid' ? 'data-testid' : key, value)
  node.append(...children)
  return node
}

/**
 * The element with that `data-testid`; throws when the page's markup lacks it.
 * @example
 * const input = byTestId('chat-input', HTMLInputElement)
 */
export function byTestId<T extends HTMLElement>(testId: string, type: { new (): T; prototype: T }): T {
  const node = document.querySelector(`[data-testid="${testId}"]`)
  if (!(node instanceof type)) throw new Error(`demo/index.html has no <${type.name}> with data-testid="${testId}"`)
  return node
}

/**
 * `14:03:07` for a timestamp, in the viewer's locale.
 * @example
 * clockTime(Date.now())
 */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/**
 * Replaces the text only when it changed, so polling does not churn the DOM or selections.
 * @example
 * setText(cell, String(stats.tabs))
 */
export function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text
}

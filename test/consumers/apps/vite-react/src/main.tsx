/**
 * The app's entry as the Vite React template starts it (React 19, StrictMode), plus the one line the
 * quick start asks of it: import `./realtime`. That module awaits its first send, so this body runs
 * once the tab has joined `room:1` and sent `hi`; the page then says `ready`, which the consumer
 * check waits for before it opens the next tab.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './realtime'

const root = document.getElementById('root')
if (root) createRoot(root).render(<StrictMode><p data-testid="ready">ready</p></StrictMode>)

// A worker with the hub and no transport: what every worker bundle carries before its transports.
import { serveHub } from '../../../worker/index.ts'

serveHub({ transports: {} })

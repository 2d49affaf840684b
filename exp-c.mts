import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
const conn = createChdbConnection({ path: '/tmp/exp/data1' })
const w = createClient({ connection: conn as any })
await w.query({query:'SELECT 1', format:'JSONEachRow'})
await new Promise(r=>setTimeout(r,4000))

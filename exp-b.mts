import { createClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
const path = '/tmp/exp/data1'
try {
const conn = createChdbConnection({ path })
const w = createClient({ connection: conn as any })
console.log(await (await w.query({query:'SELECT count() FROM t', format:'JSONEachRow'})).json())
} catch (e:any) { console.log('ERR', e.constructor.name, e.message, e.code) }

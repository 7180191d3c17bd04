import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { TrafficResult, WriteTable } from './lab';

/** Where the example's writes land: its own table, each order's item unique to the run. */
export const ORDERS_WRITES: WriteTable = { table: 'orders', memo: 'item' };

export interface OrdersTraffic extends Pick<TrafficResult, 'ok' | 'failed' | 'acknowledged' | 'writesSent'> {
  failures: string[];
}

/**
 * An independent client: reads and writes of orders through HAProxy until stopped (bounded anyway), paced by a
 * think time. Unpaced, the example answers as fast as two cores allow; the pre-change snapshot measures that as the
 * baseline and the load test (baseline_factor 1) then asks for as much again, more than the shared machine can
 * serve, so the runbook's latency criteria would judge the machine, not the change. Each order's item is unique to
 * this run, so the database can say whether a write landed once, twice or not at all.
 */
const THINK_MS = 10;
export async function ordersTraffic(url: string, stop: AbortSignal): Promise<OrdersTraffic> {
  const pool = new Pool(url, { connections: 2, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const r: OrdersTraffic = { ok: 0, failed: 0, failures: [], acknowledged: [], writesSent: [] };
  const started = Date.now();
  const run = started.toString(36);
  const worker = async (w: number): Promise<void> => {
    for (let n = 0; !stop.aborted && n < 50_000 && Date.now() - started < 900_000; n += 1) {
      const write = n % 3 === 0;
      const path = write ? '/orders' : `/orders?customer=e2e-${w}&limit=5`;
      const item = `e2e ${run} w${w} #${n}`;
      if (write) r.writesSent.push(item);
      try {
        const res = await pool.request({
          path,
          method: write ? 'POST' : 'GET',
          headers: write ? { 'content-type': 'application/json' } : {},
          body: write ? JSON.stringify({ customer: `e2e-${w}`, item, quantity: 1 + (n % 5) }) : undefined,
        });
        const text = await res.body.text();
        if (res.statusCode !== (write ? 201 : 200)) throw new Error(`${res.statusCode} ${text.slice(0, 120)}`);
        if (write) r.acknowledged.push({ id: (JSON.parse(text) as { id: number }).id, memo: item });
        r.ok += 1;
      } catch (err) {
        r.failed += 1;
        if (r.failures.length < 20) r.failures.push(`${path}: ${(err as Error).message}`);
      }
      await sleep(THINK_MS);
    }
  };
  await Promise.all([worker(1), worker(2)]);
  await pool.close();
  return r;
}

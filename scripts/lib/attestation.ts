import { request } from 'undici';
import type { Item } from './checklist';
import type { Attestation } from '../types/attestation';
import { notMeasured } from './verdict';

/**
 * Attestations: what no probe can see (system stable, rollback plan tested, dashboards visible), vouched for
 * by a person with a time, or by a URL that answers 2xx. Missing means nobody vouched: the item fails. A person's
 * attestation older than `maxAgeH`, or dated in the future, fails too.
 */
export type UrlProbe = (url: string) => Promise<{ status: number } | { error: string }>;

export const probeUrl: UrlProbe = async (url) => {
  try {
    const res = await request(url, {
      method: 'GET',
      headersTimeout: 3000,
      bodyTimeout: 3000,
      signal: AbortSignal.timeout(3000),
    });
    await res.body.dump();
    return { status: res.statusCode };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

const FUTURE_SLACK_MS = 5 * 60 * 1000;

/** Judge a person's {by, at}: pure. */
export function judgePersonAttestation(
  id: string,
  label: string,
  by: string,
  at: string,
  now: Date,
  maxAgeH: number,
  what = `attested ≤ ${maxAgeH} h ago`,
): Item {
  const t = Date.parse(at);
  const ageH = (now.getTime() - t) / 3_600_000;
  const seen = { id, item: label, measured: `by ${by} at ${at}`, value: ageH, threshold: what };
  if (t - now.getTime() > FUTURE_SLACK_MS)
    return { ...seen, verdict: 'FAIL', detail: 'dated in the future: fix the attestation time' };
  if (ageH > maxAgeH)
    return { ...seen, verdict: 'FAIL', detail: `stale: ${ageH.toFixed(1)} h old; check again and re-attest` };
  return { ...seen, verdict: 'PASS' };
}

export async function judgeAttestation(
  key: string,
  label: string,
  att: Attestation | undefined,
  now: Date,
  maxAgeH: number,
  probe: UrlProbe = probeUrl,
): Promise<Item> {
  const id = `attest:${key}`;
  if (!att) {
    return {
      id,
      item: label,
      verdict: 'FAIL',
      measured: 'not attested',
      value: null,
      threshold: 'attested (who, when) or URL 2xx',
      detail: `nobody vouched for it: set plan.preflight.attestations.${key} = {by, at} or {url}`,
    };
  }
  if ('url' in att) {
    const r = await probe(att.url);
    if ('error' in r)
      return {
        id,
        item: label,
        verdict: 'COULD_NOT_MEASURE',
        measured: notMeasured(),
        value: null,
        threshold: 'URL answers 2xx',
        detail: `GET ${att.url}: ${r.error}`,
      };
    const ok = r.status >= 200 && r.status < 300;
    return {
      id,
      item: label,
      verdict: ok ? 'PASS' : 'FAIL',
      measured: `GET ${att.url} → ${r.status}`,
      value: r.status,
      threshold: 'URL answers 2xx',
      ...(ok ? {} : { detail: 'the URL does not confirm it' }),
    };
  }
  return judgePersonAttestation(id, label, att.by, att.at, now, maxAgeH);
}

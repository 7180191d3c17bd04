/* Generated from schemas/evidence-check.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Verdict } from './evidence-common';

/**
 * poolgate evidence verify --json: an evidence folder compared with its manifest.sha256, the manifest's signature checked against an allowed-signers file, and the notifications sent after the seal checked against the manifest.
 */
export interface EvidenceCheck {
  /**
   * true when the verdict is PASS.
   */
  ok: boolean;
  /**
   * PASS: nothing changed, went missing or was added, and the signature verified (or no allowed-signers file was given); FAIL otherwise.
   */
  verdict: Verdict;
  /**
   * The verdict in one line.
   */
  message: string;
  manifest: string;
  /**
   * The manifest's own digest: the value the run's `sealed` notification carried off the box.
   */
  manifest_sha256: string;
  /**
   * Files the manifest lists.
   */
  checked: number;
  /**
   * Listed files whose sha256 differs.
   */
  changed: string[];
  /**
   * Listed files that are gone.
   */
  missing: string[];
  /**
   * Files present that the manifest does not list.
   */
  added: string[];
  signature: {
    /**
     * VERIFIED by a key of the allowed-signers file; MISSING or INVALID fail; NOT_CHECKED when no allowed-signers file was given (the hashes alone were checked).
     */
    status: 'VERIFIED' | 'MISSING' | 'INVALID' | 'NOT_CHECKED';
    /**
     * The allowed-signers principal whose key signed.
     */
    signer: string | null;
    detail: string;
  };
  /**
   * Problems with seal_notifications.jsonl (written after the seal, so not in the manifest): every line must be a schema-valid `sealed` notification carrying this manifest's digest.
   */
  after_seal: string[];
}

/* Generated from schemas/evidence-check.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * poolgate evidence verify --json: an evidence folder compared with its manifest.sha256.
 */
export interface EvidenceCheck {
  /**
   * true when nothing changed, went missing or was added.
   */
  ok: boolean;
  manifest: string;
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
}

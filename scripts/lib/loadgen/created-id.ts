/** A journal entry id from a 201 body: `{id}` or `{entry|journal_entry: {id}}` or `{journal_entry_id}`. */
export function createdIdOf(body: string): number | string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object') return null;
  const o = doc as Record<string, unknown>;
  const nested = (o.entry ?? o.journal_entry) as Record<string, unknown> | undefined;
  const id = o.id ?? o.journal_entry_id ?? nested?.id;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? id : null;
}

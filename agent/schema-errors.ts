/** The part of an ajv error this needs (ajv's own ErrorObject type would make the agent depend on ajv). */
export interface SchemaErrorObject {
  instancePath: string;
  keyword: string;
  params: unknown;
  message?: string;
}

/** "/pool/max: must be >= 1" — the field and the rule it broke, as a person would say it. */
export function describeErrors(errors: readonly SchemaErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') {
      return `${where}: unknown key "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
    }
    if (e.keyword === 'required') {
      return `${where}: missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"`;
    }
    return `${where}: ${e.message ?? e.keyword}`;
  });
}

import type { Item } from './checklist';
import type { Notification } from '../types/notification';
import type { Stakeholders } from '../types/stakeholders';

/**
 * The people a change answers to, by role: the runbook's incident response names the Executive Operator and the
 * Product Lead ("NOTIFY - Alert stakeholders"), its checklist the on-call engineer. The plan names who fills each
 * role (people or channels); every notification says which roles it is for and who they are.
 */
export type Role = keyof Stakeholders;
export type Addressee = NonNullable<Notification['for']>[number];

export const ROLES: readonly Role[] = ['executive_operator', 'product_lead', 'on_call'];

export const ROLE_LABELS: Record<Role, string> = {
  executive_operator: 'Executive Operator',
  product_lead: 'Product Lead',
  on_call: 'On-call',
};

/**
 * Which roles hear each rollout event. The on-call engineer hears everything (they act on it); a rollback is the
 * runbook's incident (its NOTIFY step: Executive Operator and Product Lead), and the outcome of a change the
 * stakeholders asked for, success, goes to them too. A refusal or a failed gate alone is the on-call's to act on:
 * when it starts a rollback, the rollback notification follows and reaches everyone.
 */
export const EVENT_ROLES: Record<Notification['event'], readonly Role[]> = {
  start: ['on_call'],
  gate_failed: ['on_call'],
  rollback: ['executive_operator', 'product_lead', 'on_call'],
  success: ['executive_operator', 'product_lead', 'on_call'],
  // the digest that proves the evidence later: the on-call keeps it with the change's record
  sealed: ['on_call'],
};

/** Who an event's message is for, role by role, from the plan's stakeholders (absent: nobody named). */
export function addresseesOf(event: Notification['event'], s: Stakeholders | undefined): Addressee[] {
  return EVENT_ROLES[event].map((role) => ({ role, label: ROLE_LABELS[role], who: s?.[role] ?? [] }));
}

/** "Executive Operator: Dana Reyes, #exec-ops · On-call: nobody named". */
export function addresseesText(list: readonly Addressee[]): string {
  return list.map((a) => `${a.label}: ${a.who.length ? a.who.join(', ') : 'nobody named'}`).join(' · ');
}

/** One preflight item per role: named is a PASS, nobody is a WARN (the change may go on; nobody would be told). */
export function stakeholderItems(s: Stakeholders | undefined): Item[] {
  return ROLES.map((role) => {
    const who = s?.[role] ?? [];
    const base = {
      id: `stakeholder:${role}`,
      item: `stakeholder ${ROLE_LABELS[role]}`,
      value: who.length,
      threshold: 'someone named',
    };
    return who.length
      ? { ...base, verdict: 'PASS' as const, measured: who.join(', ') }
      : {
          ...base,
          verdict: 'WARN' as const,
          measured: 'nobody named',
          detail: `nobody in this role would be told of a rollback: name them in pool_scaling_stakeholders.${role} (plan.stakeholders.${role})`,
        };
  });
}

# -*- coding: utf-8 -*-
"""Documentation of the action plugin poolgate.rollout.event (plugins/action/event.py): it has no module code, the
way ansible.builtin.debug documents its action; this file is what ansible-doc reads."""

from __future__ import annotations

DOCUMENTATION = r'''
---
module: event
short_description: Append one timestamped event to the run's events.jsonl on the control node
description:
  - Writes one JSON line to I(evidence_dir)/events.jsonl on the control node, whatever the task's host - the
    event's fields after C(at) (UTC now) and C(host) - in one write of the whole line, then fsync, so a reader sees
    whole lines only and the step is on disk before the next one starts.
  - Every field an event may carry is named in C(schemas/rollout-event.schema.json); poolgate reads every line
    through that schema and leaves out (and names) a line that does not match it.
  - Records in check mode too - the evidence says what a check run looked at. Does nothing when I(evidence_dir) is
    empty.
  - An action plugin that runs in the controller's worker; no module is shipped to any host.
version_added: 1.0.0
author: poolgate maintainers
options:
  evidence_dir:
    description: The run's evidence folder on the control node; empty records nothing.
    type: str
    required: true
  event:
    description: The event's fields, at least C(action) (for example C(phase), C(action), C(reason)).
    type: dict
    required: true
  host:
    description: The host the event is about; defaults to the task's C(inventory_hostname).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - poolgate.rollout.controller_action
attributes:
  check_mode:
    details: The line is written in check mode too.
seealso:
  - module: poolgate.rollout.pool_config
'''

EXAMPLES = r'''
- name: Record the preflight verdict
  poolgate.rollout.event:
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
    event:
      phase: preflight
      action: passed

- name: Record a server's new state at HAProxy, about that server
  poolgate.rollout.event:
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
    host: primary-1
    event:
      action: lb_drain
      status: DRAIN
      sessions: 0
'''

RETURN = r'''
line:
  description: The JSON line written (without its newline).
  type: str
  returned: when I(evidence_dir) is not empty
  sample: '{"at": "2026-02-01T02:30:00.000000Z", "host": "localhost", "phase": "preflight", "action": "passed"}'
skipped_reason:
  description: Why nothing was written.
  type: str
  returned: when I(evidence_dir) is empty
  sample: no evidence folder
'''

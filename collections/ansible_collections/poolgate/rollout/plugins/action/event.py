# -*- coding: utf-8 -*-
"""Action poolgate.rollout.event: one line in the run's events.jsonl on the control node.

Runs on the controller in the task's worker, no module shipped: recording a step costs milliseconds, where
ansible.builtin.lineinfile cost a module run (~0.2 s) per line. Written in check mode too: the evidence records what
a check run looked at.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: event
short_description: Append one timestamped event to the run's events.jsonl on the control node
description:
  - "Writes one JSON line to I(evidence_dir)/events.jsonl: the event's fields after C(at) (UTC now) and C(host)."
  - Does nothing when I(evidence_dir) is empty.
options:
  evidence_dir:
    description: The run's evidence folder on the control node; empty records nothing.
    type: str
    required: true
  event:
    description: The event's fields (phase, action, ...).
    type: dict
    required: true
  host:
    description: The host the event is about; defaults to the task's inventory_hostname.
    type: str
'''

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.poolgate.rollout.plugins.plugin_utils.events import append_event


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('evidence_dir', 'event', 'host'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=dict(
            evidence_dir=dict(type='str', required=True),
            event=dict(type='dict', required=True),
            host=dict(type='str'),
        ))
        if not args['evidence_dir']:
            result.update(changed=False, skipped_reason='no evidence folder')
            return result
        host = args['host'] or (task_vars or {}).get('inventory_hostname', 'localhost')
        try:
            result['line'] = append_event(args['evidence_dir'], host, args['event']).rstrip('\n')
        except OSError as err:
            raise AnsibleActionFail('could not write %s/events.jsonl: %s' % (args['evidence_dir'], err.strerror or err))
        result['changed'] = False
        return result

# -*- coding: utf-8 -*-
"""Action poolgate.rollout.event: one line in the run's events.jsonl on the control node.

Runs on the controller in the task's worker, no module shipped: recording a step costs milliseconds, where
ansible.builtin.lineinfile cost a module run (~0.2 s) per line. Written in check mode too: the evidence records what
a check run looked at.
"""

from __future__ import annotations

# Documented in plugins/modules/event.py, where ansible-doc reads it (ansible-doc -t module poolgate.rollout.event).

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

# -*- coding: utf-8 -*-
"""Action poolgate.rollout.fail: fail the task with a message and the rollback trigger it stands for.

ansible.builtin.fail returns only a message: a rescue that rolls back then had to guess the trigger (and with it the
incident's severity) from the failed task's name. This failure carries its trigger (and severity, when the step
knows it) as data in its result, where the rescue reads them (playbooks/vars/run.yml). Documented in
plugins/modules/fail.py, where ansible-doc reads it.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

SEVERITIES = ('P0', 'P1', 'P2')


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('msg', 'trigger', 'severity'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _, a = self.validate_argument_spec(argument_spec=dict(
            msg=dict(type='str', required=True),
            trigger=dict(type='str', required=True),
            severity=dict(type='str', choices=list(SEVERITIES)),
        ))
        if not a['trigger'].strip():
            raise AnsibleActionFail('poolgate.rollout.fail needs a trigger (e.g. lb_switch_failed), got none')
        result.update(failed=True, changed=False, msg=a['msg'], trigger=a['trigger'])
        if a['severity']:
            result['severity'] = a['severity']
        return result

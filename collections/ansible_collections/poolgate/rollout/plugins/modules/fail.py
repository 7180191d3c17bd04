# -*- coding: utf-8 -*-
"""Documentation of the action plugin poolgate.rollout.fail (plugins/action/fail.py): it has no module code, the way
ansible.builtin.fail documents its action; this file is what ansible-doc reads."""

from __future__ import annotations

DOCUMENTATION = r'''
---
module: fail
short_description: Fail with a message and the rollback trigger the failure stands for
description:
  - Fails the task like M(ansible.builtin.fail), and returns C(trigger) (and C(severity) when given) in its result, so
    a rescue that rolls back names the trigger - and with it the incident's severity - from data, never from the
    failed task's name.
  - The triggers and their severities are listed in C(scripts/lib/trigger.ts); an unknown trigger is P2.
  - An action plugin that runs in the controller's worker; no module is shipped to any host.
version_added: 1.2.0
author: poolgate maintainers
options:
  msg:
    description: Why the task fails.
    type: str
    required: true
  trigger:
    description: The rollback trigger this failure stands for, in snake_case (for example C(lb_switch_failed)).
    type: str
    required: true
  severity:
    description: The incident severity, when this step knows it better than the trigger's default.
    type: str
    choices: [P0, P1, P2]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - poolgate.rollout.controller_action
attributes:
  platform:
    platforms: all
seealso:
  - module: ansible.builtin.fail
  - module: poolgate.rollout.command
'''

EXAMPLES = r'''
- name: Say which server did not reach its state and why
  poolgate.rollout.fail:
    trigger: lb_switch_failed
    msg: HAProxy did not bring app/primary-1 to drain within 30 s

- name: Stop with a P0 when the fleet may run a config nobody verified
  poolgate.rollout.fail:
    trigger: rollback_incomplete
    severity: P0
    msg: the rollback could not read primary-2 back
'''

RETURN = r'''
msg:
  description: The message given.
  type: str
  returned: always
trigger:
  description: The trigger given; a rescue passes it to the rollback and the incident.
  type: str
  returned: always
  sample: lb_switch_failed
severity:
  description: The severity given.
  type: str
  returned: when I(severity) is given
  sample: P0
'''

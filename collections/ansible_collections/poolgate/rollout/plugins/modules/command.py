# -*- coding: utf-8 -*-
"""Documentation of the action plugin poolgate.rollout.command (plugins/action/command.py): it has no module code;
this file is what ansible-doc reads."""

from __future__ import annotations

DOCUMENTATION = r'''
---
module: command
short_description: Run a poolgate command on the control node, register its JSON and fail unless it passed
description:
  - Runs C(node <root>/bin/poolgate.js <command> [--plan P] [--evidence-dir D] --json <args>) on the control node,
    whatever the task's host, in check mode too (measurements change no host). Node is started by the controller's
    worker; no module is shipped to any host.
  - Registers the parsed JSON as the fact I(register) (default C(poolgate_<command>)) and as C(poolgate_last) with
    C(rc) added.
  - Fails unless the exit code is in I(ok_codes), saying what the exit code means (1 gate failed, 2 refused its
    input, 3 could not measure) followed by the command's own words - the one-line C(message) of its JSON (its
    verdict first - PASS, FAIL or COULD_NOT_MEASURE), else its stderr.
  - A failure returns C(trigger) and C(severity) - the C(stop) the command's JSON carries, else I(trigger) - so the
    rescue that rolls back names them from data.
version_added: 1.0.0
author: poolgate maintainers
options:
  command:
    description: The poolgate command, words separated by spaces (for example C(preflight) or C(evidence seal)).
    type: str
    required: true
  args:
    description: Extra argv words after the standard ones.
    type: list
    elements: str
    default: []
  plan:
    description: Plan file passed as C(--plan); empty passes none.
    type: str
    default: ''
  evidence_dir:
    description: Evidence folder passed as C(--evidence-dir); empty passes none.
    type: str
    default: ''
  register:
    description: Name of the fact that receives the parsed JSON.
    type: str
    default: ''
  root:
    description: Root of the poolgate checkout on the control node.
    type: str
    required: true
  node:
    description: Node.js executable on the control node.
    type: str
    default: node
  timeout:
    description: Seconds before the command is stopped (it then fails); the poolgate role passes the bound
      C(poolgate plan check) computed from the plan.
    type: int
    default: 120
  ok_codes:
    description: Exit codes that do not fail the task.
    type: list
    elements: int
    default: [0]
  trigger:
    description: The rollback trigger this step's failure stands for when the command's JSON names none.
    type: str
    default: ''
  db_password:
    description:
      - The database monitoring role's password (from the vault), handed to the command in its environment only
        (C(POOLGATE_DB_PASSWORD), which poolgate takes and removes at start) - never in argv, the plan, the evidence
        or this task's result. Empty hands nothing (the plan's password_file, or C(PGPASSWORD), is used).
    type: str
    default: ''
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - poolgate.rollout.controller_action
attributes:
  check_mode:
    details: The command runs in check mode too; poolgate commands measure and change no host.
seealso:
  - module: poolgate.rollout.fail
'''

EXAMPLES = r'''
- name: Verify every instance reports the new pool
  poolgate.rollout.command:
    command: verify
    plan: "{{ pool_scaling_plan_file }}"
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
    root: "{{ playbook_dir | dirname }}"

- name: Run the load test; its failure is a load test that could not measure
  poolgate.rollout.command:
    command: loadtest
    args: [--output, "{{ pool_scaling_evidence_dir }}/post_change_load_test.json"]
    plan: "{{ pool_scaling_plan_file }}"
    root: "{{ playbook_dir | dirname }}"
    trigger: loadtest_could_not_measure

- name: Announce an event whatever the webhook does
  poolgate.rollout.command:
    command: notify
    args: [--event, rollback]
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
    root: "{{ playbook_dir | dirname }}"
    ok_codes: [0, 1, 2, 3]
'''

RETURN = r'''
rc:
  description: The command's exit code (-1 when it could not start or was stopped at I(timeout)).
  type: int
  returned: always
cmd:
  description: The argv run.
  type: list
  elements: str
  returned: always
stdout:
  description: What the command printed (its JSON).
  type: str
  returned: always
stderr:
  description: Its progress and error lines.
  type: str
  returned: always
ansible_facts:
  description: The parsed JSON under I(register) and under C(poolgate_last) (with C(rc)).
  type: dict
  returned: always
msg:
  description: What the exit code means, and the command's own words.
  type: str
  returned: failure
  sample: 'poolgate verify gate failed: FAIL: pool max primary-2: 50 (threshold = 200)'
trigger:
  description: The rollback trigger the failure stands for.
  type: str
  returned: failure, when the command's JSON or the task names one
  sample: verify_failed
severity:
  description: The trigger's severity, when the command's JSON says.
  type: str
  returned: failure, when the command's JSON carries a C(stop)
  sample: P1
'''

# -*- coding: utf-8 -*-
"""Documentation of the action plugin poolgate.rollout.evidence_file (plugins/action/evidence_file.py): it has no
module code; this file is what ansible-doc reads."""

from __future__ import annotations

DOCUMENTATION = r'''
---
module: evidence_file
short_description: Create the run's evidence folder, or write one file into it atomically, on the control node
description:
  - Without I(content), creates the folder I(path) (and its parents). With I(content), writes the file I(path)
    beside its final name, fsyncs it and renames it over the name, so a reader never sees half of it.
  - Writes in check mode too - the evidence says what a check run looked at.
  - An action plugin that runs in the controller's worker; no module is shipped to any host.
version_added: 1.0.0
author: poolgate maintainers
options:
  path:
    description: The folder to create (no I(content)) or the file to write.
    type: str
    required: true
  content:
    description: The file's text; omitted (with I(content_b64)) creates I(path) as a folder (and its parents).
    type: str
  content_b64:
    description:
      - The file's bytes in base64, as ansible.builtin.slurp returns them, written exactly (text that looks like JSON
        would be turned into a dict by templating and rewritten). Excludes I(content).
    type: str
  mode:
    description: Mode of what is created.
    type: str
    default: '0644'
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - poolgate.rollout.controller_action
attributes:
  check_mode:
    details: The evidence is written in check mode too.
'''

EXAMPLES = r'''
- name: Create the run's evidence folder
  poolgate.rollout.evidence_file:
    path: "{{ pool_scaling_run.evidence_dir }}"
    mode: '0755'

- name: Render the plan from the inventory
  poolgate.rollout.evidence_file:
    path: "{{ pool_scaling_run.plan_file }}"
    content: "{{ lookup('ansible.builtin.template', 'plan.json.j2') }}"
'''

RETURN = r'''
path:
  description: The folder or file written.
  type: str
  returned: always
changed:
  description: A file is always (re)written; a folder only when it did not exist.
  type: bool
  returned: always
'''

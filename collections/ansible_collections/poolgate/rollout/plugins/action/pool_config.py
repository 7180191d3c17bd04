# -*- coding: utf-8 -*-
"""Action poolgate.rollout.pool_config: change (or restore) one instance's pool config in one task.

Runs the module's stages on the instance's host in order — prepare (read, back up, render, validate), apply
(SIGHUP or restart), verify (/health, then the new file's sha256 in force) — and writes each step to the run's
events.jsonl on the control node as soon as it is done, so an interrupted run leaves an exact trail. One task per
host instead of ~20: Ansible's per-task overhead was most of the rollout's time (issue 7).

A failure says which stage failed and names the rollback trigger it maps to (`trigger`), so the playbook's incident
does not have to guess from task names.
"""

from __future__ import annotations

DOCUMENTATION = r'''
name: pool_config
short_description: Back up, render, apply and read back one instance's pool config (or restore it), in one task
description:
  - C(state=present) installs I(values); C(state=restored) brings back the file this run backed up (I(run_id)).
  - Every stage runs as the module poolgate.rollout.pool_config on the task's host (delegate_to the instance's host).
  - Events (backed_up, rendered, applying, verified) go to I(evidence_dir)/events.jsonl on the control node.
  - Check mode reports the diff of the file and changes nothing.
options:
  state:
    type: str
    choices: [present, restored]
    default: present
  name:
    description: The instance's inventory name (events and messages).
    type: str
    required: true
  evidence_dir:
    description: The run's evidence folder on the control node; empty records no events.
    type: str
    default: ''
  method:
    description: How the instance loads a changed file; a restore restarts an instance that does not answer.
    type: str
    choices: [sighup, restart]
    required: true
  wait_s:
    description: Seconds to wait for /health, and again for the config to be in force.
    type: float
    default: 30
notes:
  - Every other option is passed to the module (path, url, run_id, values, owner, group, mode, validate,
    service_manager, labctl, labctl_name, service_name, pidfile, poll_s, http_timeout).
'''

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.poolgate.rollout.plugins.plugin_utils.events import append_event

MODULE = 'poolgate.rollout.pool_config'
PASSED = ('path', 'url', 'run_id', 'owner', 'group', 'mode', 'validate', 'service_manager', 'labctl', 'labctl_name',
          'service_name', 'pidfile', 'poll_s', 'http_timeout', 'wait_s')
# Which rollback trigger a failed stage stands for (scripts/lib/incident.ts knows each one's severity).
TRIGGER = {'prepare': 'apply_failed', 'restore': 'apply_failed', 'apply': 'apply_failed',
           'health': 'health_check_failed', 'readback': 'config_not_in_force'}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(PASSED + ('state', 'name', 'evidence_dir', 'method', 'values'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        self._vars = task_vars
        args = dict(self._task.args)
        for key in ('name', 'method', 'path', 'url'):
            if not args.get(key):
                raise AnsibleActionFail('pool_config needs %s' % key)
        self._name = args['name']
        self._evidence = args.get('evidence_dir') or ''
        self._common = {k: args[k] for k in PASSED if args.get(k) not in (None, '')}
        self._common['name'] = self._name
        self._stages = {}
        try:
            if args.get('state', 'present') == 'restored':
                self._restore(args)
            else:
                self._present(args)
        except _StageFailed as failed:
            # Every message names the host first (the module's readback message already does).
            msg = failed.msg if failed.msg.startswith(self._name + ' ') else '%s: %s' % (self._name, failed.msg)
            result.update(failed=True, changed=self._changed(), msg=msg, stage=failed.stage,
                          trigger=TRIGGER.get(failed.stage, 'rollout_step_failed'), stages=self._stages)
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        result.update(self._outcome)
        result['stages'] = self._stages
        return result

    def _changed(self):
        return any(s.get('changed') for s in self._stages.values())

    def _stage(self, stage, **extra):
        res = self._execute_module(module_name=MODULE, module_args=dict(self._common, stage=stage, **extra), task_vars=self._vars)
        self._stages[stage] = res
        if res.get('failed'):
            raise _StageFailed(res.get('stage') or stage, res.get('msg') or res.get('module_stderr') or 'failed without a message')
        return res

    def _event(self, event):
        if not self._evidence:
            return
        try:
            append_event(self._evidence, self._name, dict(event, host=self._name))
        except OSError as err:
            raise _StageFailed('evidence', 'could not write %s/events.jsonl: %s' % (self._evidence, err.strerror or err))

    def _apply_and_verify(self, method, in_force, sha, pool):
        if (in_force or {}).get('sha256') != sha:
            self._event({'action': 'applying', 'method': method, 'generation_before': (in_force or {}).get('generation', 0)})
            self._stage('apply', method=method)
        seen = self._stage('verify', expected_sha256=sha, expected_pool=pool)['readback']
        self._event({'action': 'verified', 'pool': seen.get('pool'), 'sha256': seen.get('sha256'), 'generation': seen.get('generation')})
        return seen

    def _present(self, args):
        check = self._task.check_mode
        prep = self._stage('prepare', values=args.get('values'))
        if prep.get('backup'):
            b = prep['backup']
            self._event({'action': 'would_back_up' if check else 'backed_up', 'path': b['path'], 'sha256': '' if check else b['sha256'],
                         'config_sha256': prep['old_sha256'], 'created': b['created']})
            self._event({'action': 'would_render' if check else 'rendered', 'path': prep['path'],
                         'sha256': '' if check else prep['rendered']['sha256'], 'pool': prep['target']})
        self._outcome = {'changed': prep['changed'], 'in_force_before': prep['in_force'], 'backup': prep.get('backup')}
        if 'diff' in prep:
            self._outcome['diff'] = prep['diff']
        if check:
            return
        seen = self._apply_and_verify(args['method'], prep['in_force'], prep['file_sha256'], prep['target'])
        self._outcome.update(changed=self._changed(), readback=seen)

    def _restore(self, args):
        got = self._stage('restore')
        self._outcome = {'changed': got['changed'], 'backup_found': got['backup_found'], 'in_force_before': got['in_force']}
        if self._task.check_mode:
            return
        # An instance that does not answer cannot take a SIGHUP: start it afresh on the old file.
        method = args['method'] if got['answering'] else 'restart'
        seen = self._apply_and_verify(method, got['in_force'], got['file_sha256'], got['target'])
        self._outcome.update(changed=self._changed(), readback=seen)


class _StageFailed(Exception):
    def __init__(self, stage, msg):
        super(_StageFailed, self).__init__(msg)
        self.stage = stage
        self.msg = msg

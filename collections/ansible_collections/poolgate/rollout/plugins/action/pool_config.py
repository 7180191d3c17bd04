# -*- coding: utf-8 -*-
"""Action poolgate.rollout.pool_config: change (or restore) one instance's pool config in one task.

Renders the new file and validates it on the control node (poolgate's `config check`: nothing of poolgate is
installed on the instance's host), then runs the module's whole sequence on the instance's host in one process —
prepare (read, back up, install the validated bytes, read their sha256 back), apply (SIGHUP or restart), verify
(/health, then the new file's sha256 in force) — and writes each step's events to the run's events.jsonl on the
control node, stamped with the time the step started on the host.
One task and one Python start-up per host instead of ~20 tasks: Ansible's per-task and per-module overhead was most
of the rollout's time (issue 7). A step that fails still leaves the events of the steps before it; a control node
killed while the module runs leaves the host's own trail (the backup file, which the rollback reads).

A failure says which stage failed and names the rollback trigger it maps to (`trigger`), so the playbook's incident
does not have to guess from task names.
"""

from __future__ import annotations

# Documented in plugins/modules/pool_config.py, where ansible-doc reads it (ansible-doc -t module poolgate.rollout.pool_config).

import hashlib
import json
import os
import re
import shlex
import subprocess
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.poolgate.rollout.plugins.plugin_utils.events import append_event

MODULE = 'poolgate.rollout.pool_config'
PASSED = ('path', 'url', 'run_id', 'owner', 'group', 'mode', 'service_manager', 'labctl', 'labctl_name',
          'service_name', 'pidfile', 'poll_s', 'http_timeout', 'wait_s')
POOL_KEYS = ('min', 'max', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis')
# Which rollback trigger a failed stage stands for (scripts/lib/trigger.ts knows each one's severity).
TRIGGER = {'prepare': 'apply_failed', 'restore': 'apply_failed', 'apply': 'apply_failed',
           'health': 'health_check_failed', 'readback': 'config_not_in_force'}


# A validator is a short local check; one that hangs must not hold the rollout.
VALIDATE_TIMEOUT_S = 30


def render(values):
    """The file the service and `poolgate config check` read: the five keys, in order, as integers."""
    return json.dumps({k: int(values[k]) for k in POOL_KEYS}, indent=2) + '\n'


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(PASSED + ('state', 'name', 'evidence_dir', 'method', 'values', 'validate', 'token_file',
                                      'token_env'))

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
            # Before anything reaches the host: a token that cannot be had leaves the host untouched.
            token = _token(args, 'restore' if args.get('state') == 'restored' else 'prepare')
            if token:
                self._common['token'] = token
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

    def _run(self, stage, **extra):
        """Runs the module's whole sequence (change or revert) on the host; records each step's events."""
        res = self._execute_module(module_name=MODULE, module_args=dict(self._common, stage=stage, **extra), task_vars=self._vars)
        steps = res.get('steps') if not res.get('failed') else res.get('done')
        for step in steps or []:
            self._stages[step['stage']] = step
            self._record(step)
        if res.get('failed'):
            failed = res.get('stage') or stage
            if res.get('applying'):
                # The apply started: the trail says so, whatever it left behind.
                self._event(dict({'action': 'applying'}, **res['applying']))
            self._stages[failed] = res
            raise _StageFailed(failed, res.get('msg') or res.get('module_stderr') or 'failed without a message')
        return steps

    def _record(self, step):
        """The events of one finished step, stamped with the time it started on the host."""
        stage, at, check = step['stage'], step.get('at'), self._task.check_mode
        if stage == 'prepare' and step.get('backup'):
            b = step['backup']
            self._event({'action': 'would_back_up' if check else 'backed_up', 'path': b['path'], 'sha256': '' if check else b['sha256'],
                         'config_sha256': step['old_sha256'], 'created': b['created']}, at)
            self._event({'action': 'would_render' if check else 'rendered', 'path': step['path'],
                         'sha256': '' if check else step['rendered']['sha256'], 'pool': step['target']}, at)
        elif stage == 'apply':
            self._event({'action': 'applying', 'method': step['method'], 'generation_before': step['generation_before']}, at)
        elif stage == 'verify':
            seen = step['readback']
            self._event({'action': 'verified', 'pool': seen.get('pool'), 'sha256': seen.get('sha256'), 'generation': seen.get('generation')})

    def _event(self, event, at=None):
        if not self._evidence:
            return
        try:
            append_event(self._evidence, self._name, dict(event, host=self._name), at)
        except OSError as err:
            raise _StageFailed('evidence', 'could not write %s/events.jsonl: %s' % (self._evidence, err.strerror or err))

    def _present(self, args):
        content = self._validated(args.get('values'), args.get('validate') or '', args['path'])
        steps = self._run('change', content=content, content_sha256=hashlib.sha256(content.encode('utf-8')).hexdigest(),
                          method=args['method'])
        prep = steps[0]
        self._outcome = {'changed': self._changed(), 'in_force_before': prep['in_force'], 'backup': prep.get('backup')}
        if 'diff' in prep:
            self._outcome['diff'] = prep['diff']
        if not self._task.check_mode:
            self._outcome['readback'] = steps[-1]['readback']

    def _validated(self, values, validate, path):
        """The file for values, rendered here and checked by the validator on the control node (a temporary copy)."""
        missing = [k for k in POOL_KEYS if k not in (values or {})]
        if missing:
            raise _StageFailed('prepare', 'values lacks %s' % ', '.join(missing))
        try:
            content = render(values)
        except (TypeError, ValueError) as err:
            raise _StageFailed('prepare', 'values are not whole numbers: %s' % err)
        if not validate:
            return content
        fd, candidate = tempfile.mkstemp(prefix='poolgate-candidate-', suffix='.json')
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(content)
            argv = [w.replace('%s', candidate) for w in shlex.split(validate)]
            try:
                done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as err:
                raise _StageFailed('prepare', 'the validator of the rendered %s did not run on the control node (%s): %s' % (path, validate, err))
            if done.returncode != 0:
                raise _StageFailed('prepare', 'the rendered %s failed validation on the control node (%s): %s' % (
                    path, validate, (done.stderr or done.stdout).strip()))
        finally:
            os.unlink(candidate)
        return content

    def _restore(self, args):
        steps = self._run('revert', method=args['method'])
        got = steps[0]
        self._outcome = {'changed': self._changed(), 'backup_found': got['backup_found'], 'in_force_before': got['in_force']}
        if not self._task.check_mode:
            self._outcome['readback'] = steps[-1]['readback']


# The inventory variable each option comes from (the pool_config role), so a failure names what to fix.
TOKEN_VARS = {'token_file': 'pool_instance_token_file', 'token_env': 'pool_instance_token_env'}


def _token(args, stage):
    """The instance's bearer token, read on the control node from the named file or variable ('' when none is named)."""
    file, env = args.get('token_file') or '', args.get('token_env') or ''
    if file and env:
        raise _StageFailed(stage, 'both %s and %s are set; name the token by one of them' % tuple(TOKEN_VARS.values()))
    if file:
        what = '%s (token_file) names %s, which' % (TOKEN_VARS['token_file'], file)
        try:
            with open(file, encoding='utf-8') as f:
                token = f.read().strip()
        except (OSError, UnicodeDecodeError) as err:
            raise _StageFailed(stage, '%s cannot be read on the control node (%s); nothing was changed' % (
                what, getattr(err, 'strerror', None) or err))
    elif env:
        if not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', env):
            raise _StageFailed(stage, '%s (token_env) %r is not a variable name' % (TOKEN_VARS['token_env'], env))
        what = '%s (token_env) names %s, which' % (TOKEN_VARS['token_env'], env)
        token = os.environ.get(env, '').strip()
    else:
        return ''
    if not token:
        raise _StageFailed(stage, '%s holds no token on the control node; nothing was changed' % what)
    return token


class _StageFailed(Exception):
    def __init__(self, stage, msg):
        super(_StageFailed, self).__init__(msg)
        self.stage = stage
        self.msg = msg

# -*- coding: utf-8 -*-
"""Action poolgate.rollout.command: run one poolgate command on the control node and judge its exit code.

Every measurement of the rollout (preflight, verify, loadtest, monitor, report, ...) is a poolgate command on the
control node. Run by ansible.builtin.command, each cost a module run (an AnsiballZ Python process that then starts
node) plus two tasks to parse and judge the result; here node is started directly by the controller's worker and the
verdict is judged in the same task (issue 7: rollout speed).
"""

from __future__ import annotations

# Documented in plugins/modules/command.py, where ansible-doc reads it (ansible-doc -t module poolgate.rollout.command).

import json
import os
import subprocess

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

MEANING = {1: 'gate failed', 2: 'refused its input (nothing was changed)', 3: 'could not measure'}


def parse(stdout):
    text = (stdout or '').strip()
    if not text.startswith('{'):
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def explanation(parsed, stderr, fallback):
    """The command's own words: the one-line `message` every gate's JSON carries, else stderr (a refused input or
    an error prints no JSON)."""
    message = parsed.get('message')
    if isinstance(message, str) and message:
        return message
    if (stderr or '').strip():
        return ' | '.join(stderr.strip().splitlines())
    return fallback


def stop_of(parsed, trigger):
    """The trigger (and severity) a failure stands for: the `stop` the command's JSON carries (schemas/
    evidence-common.schema.json#/$defs/stop), else the task's `trigger`."""
    stop = parsed.get('stop')
    if isinstance(stop, dict) and stop.get('name'):
        return dict((k, stop[k]) for k in ('name', 'severity') if stop.get(k))
    return {'name': trigger} if trigger else {}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('command', 'args', 'plan', 'evidence_dir', 'register', 'root', 'node', 'timeout', 'ok_codes',
                             'trigger', 'db_password'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _, a = self.validate_argument_spec(argument_spec=dict(
            command=dict(type='str', required=True),
            args=dict(type='list', elements='str', default=[]),
            plan=dict(type='str', default=''),
            evidence_dir=dict(type='str', default=''),
            register=dict(type='str', default=''),
            root=dict(type='str', required=True),
            node=dict(type='str', default='node'),
            timeout=dict(type='int', default=120),
            ok_codes=dict(type='list', elements='int', default=[0]),
            trigger=dict(type='str', default=''),
            db_password=dict(type='str', default='', no_log=True),
        ))
        if not a['command'].strip():
            raise AnsibleActionFail('poolgate.rollout.command needs command (e.g. "preflight" or "evidence seal"), got none')
        argv = ([a['node'], os.path.join(a['root'], 'bin', 'poolgate.js')] + a['command'].split()
                + (['--plan', a['plan']] if a['plan'] else []) + (['--evidence-dir', a['evidence_dir']] if a['evidence_dir'] else [])
                + ['--json'] + list(a['args']))
        try:
            env = dict(os.environ, **({'POOLGATE_DB_PASSWORD': a['db_password']} if a['db_password'] else {}))
            done = subprocess.run(argv, cwd=a['root'], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=a['timeout'])
            rc, stdout, stderr, msg = done.returncode, done.stdout, done.stderr, 'non-zero return code'
        except subprocess.TimeoutExpired as err:
            rc, stdout, stderr = -1, err.stdout or '', err.stderr or ''
            stdout, stderr = (s.decode('utf-8', 'replace') if isinstance(s, bytes) else s for s in (stdout, stderr))
            msg = 'stopped after %d s (poolgate_timeout)' % a['timeout']
        except OSError as err:
            rc, stdout, stderr, msg = -1, '', '', 'could not start %s: %s' % (argv[0], err.strerror or err)
        parsed = parse(stdout)
        fact = a['register'] or 'poolgate_' + a['command'].replace(' ', '_').replace('-', '_')
        # failed is always set: Ansible fails any result with a non-zero rc that does not say, and ok_codes may
        # accept one (a notification during a refusal accepts every exit code).
        result.update(changed=False, failed=False, cmd=argv, rc=rc, stdout=stdout, stderr=stderr,
                      ansible_facts={fact: parsed, 'poolgate_last': dict(parsed, rc=rc)})
        if rc not in a['ok_codes']:
            meaning = MEANING.get(rc, 'failed (exit %s)' % rc)
            stop = stop_of(parsed, a['trigger'])
            result.update(failed=True, msg='poolgate %s %s: %s' % (a['command'], meaning, explanation(parsed, stderr, msg)),
                          **dict(('trigger' if k == 'name' else k, v) for k, v in stop.items()))
        return result

#!/usr/bin/python
# -*- coding: utf-8 -*-
"""Changing an instance's pool config, run on the instance's host: one stage, or a whole change in one process.

The action plugin of the same name runs C(change) (prepare → apply → verify) or C(revert) (restore → apply →
verify) and records each step in the run's events.jsonl; this module is what runs where the file and the process
live.
"""

from __future__ import annotations

DOCUMENTATION = r'''
---
module: pool_config
short_description: Back up, render, apply and read back one instance's node-postgres pool config (or restore it)
description:
  - A task gives I(state); the action plugin of the same name runs this module on the instance's host (delegate_to
    the instance) once per task, and records each step in the run's events.jsonl on the control node
    (C(backed_up), C(rendered), C(applying), C(verified)), stamped with the time the step started on the host, also
    the steps before one that fails.
  - C(state=present) - prepare, apply, verify. The action renders the new file from I(values) and runs I(validate) on
    the control node (a file the validator rejects fails the step before anything reaches the host); the module
    receives those bytes with their sha256 (checked on arrival and after the write), reads the file and the config in
    force, backs the old file up to <path>.bak-<run_id> (never over an existing backup, so a second pass keeps the
    config from before the run), then atomically replaces it. Apply makes the instance load its file, by SIGHUP or
    restart, through labctl, systemd or a pid file (only when it does not already run the file). Verify waits for
    /health to answer 200, then for /api/health/pool-config to report the file's sha256 with no reload in progress,
    and fails unless the values in force are the expected ones.
  - C(state=restored) - the run's backup is copied back (without a backup the file in place is the old config),
    applied the same way (a restart when the instance does not answer) and read back.
  - A failure returns the C(stage) that failed and the rollback C(trigger) it stands for (prepare, restore and apply
    - apply_failed; health - health_check_failed; readback - config_not_in_force), which the rescue that rolls back
    passes to the incident.
  - Nothing of poolgate runs on the instance's host; the module's own C(stage), C(content) and C(content_sha256) are
    set by the action plugin, a task does not give them.
version_added: 1.0.0
author: poolgate maintainers
options:
  state:
    description: C(present) installs I(values); C(restored) brings back the file this run backed up (I(run_id)).
    type: str
    choices: [present, restored]
    default: present
  name:
    description: The instance's name in events and messages (its inventory name).
    type: str
    required: true
  evidence_dir:
    description: The run's evidence folder on the control node; empty records no events.
    type: str
    default: ''
  stage:
    description: Set by the action plugin (C(change) or C(revert), or one of their steps); not given in a task.
    type: str
    choices: [prepare, restore, apply, verify, change, revert]
  path:
    description: The instance's pool config file.
    type: path
    required: true
  url:
    description: Base URL of the instance, as seen from its host.
    type: str
    required: true
  run_id:
    description: The run's id; names the backup <path>.bak-<run_id>.
    type: str
  values:
    description: C(state=present) the pool to install (min, max, idleTimeoutMillis, connectionTimeoutMillis, acquireTimeoutMillis).
    type: dict
  validate:
    description:
      - Command run on the control node that a rendered file must pass before it is sent to the host; C(%s) is the
        candidate file (e.g. C(node /opt/poolgate/bin/poolgate.js config check %s)). Split like a shell splits it,
        run without one. Empty checks nothing.
    type: str
    default: ''
  content:
    description: Set by the action plugin - the file to install, as rendered and validated on the control node.
    type: str
  content_sha256:
    description: Set by the action plugin - the sha256 of I(content) as validated; the file written must match it.
    type: str
  owner:
    description: Owner of the rendered file; default keeps the current owner.
    type: str
  group:
    description: Group of the rendered file; default keeps the current group.
    type: str
  mode:
    description: Mode of the rendered file.
    type: str
    default: '0644'
  method:
    description: How the instance loads its file.
    type: str
    required: true
    choices: [sighup, restart]
  service_manager:
    description: Who runs the instance.
    type: str
    choices: [labctl, systemd, pidfile]
  labctl:
    description: The lab's control script (labctl hup|restart NAME).
    type: path
  labctl_name:
    description: The name labctl knows the instance by.
    type: str
  service_name:
    description: The systemd unit (a reload needs ExecReload=/bin/kill -HUP $MAINPID).
    type: str
  pidfile:
    description: Pid file read for a SIGHUP when the service manager is C(pidfile).
    type: path
  expected_sha256:
    description: Set by the action plugin for its verify step - the sha256 of the file the instance must run.
    type: str
  expected_pool:
    description: Set by the action plugin for its verify step - the values the instance must report in force.
    type: dict
  wait_s:
    description: Seconds to wait for /health, and again for the config to be in force.
    type: float
    default: 30
  poll_s:
    description: Seconds between probes.
    type: float
    default: 0.2
  http_timeout:
    description: Seconds one HTTP probe may take.
    type: float
    default: 5
  token_file:
    description:
      - Read by the action plugin on the control node, not on the host. A file there holding the bearer token the
        instance's contract endpoints require (the pool_config role passes the inventory's
        C(pool_instance_token_file)); the token is sent as C(Authorization) C(Bearer) on every read of
        /api/health/pool-config (never on /health, which stays open for the load balancer).
      - A file that cannot be read or holds nothing fails the task before the host is touched, naming the variable.
        Empty names none.
    type: str
    default: ''
  token_env:
    description:
      - Read by the action plugin on the control node. Or a variable of C(ansible-playbook)'s environment holding
        that token (the role passes C(pool_instance_token_env)); unset or empty fails the task before the host is
        touched. Excludes I(token_file).
    type: str
    default: ''
  token:
    description:
      - Set by the action plugin from I(token_file) or I(token_env); not given in a task. C(no_log), never returned.
    type: str
    default: ''
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - poolgate.rollout.controller_action
attributes:
  check_mode:
    details: Check mode reports the file's diff and changes nothing.
  diff_mode:
    support: full
seealso:
  - module: poolgate.rollout.event
'''

EXAMPLES = r'''
- name: Change, apply and read back the pool config of primary-1
  poolgate.rollout.pool_config:
    state: present
    name: primary-1
    values: {min: 20, max: 200, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000}
    run_id: "{{ pool_scaling_run_id }}"
    path: /etc/ledger/pool.json
    url: http://127.0.0.1:3000
    method: sighup
    service_manager: systemd
    service_name: ledger.service
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
  delegate_to: primary-1

- name: Restore the pool config this run backed up
  poolgate.rollout.pool_config:
    state: restored
    name: primary-1
    run_id: "{{ pool_scaling_run_id }}"
    path: /etc/ledger/pool.json
    url: http://127.0.0.1:3000
    method: restart
    service_manager: systemd
    service_name: ledger.service
    evidence_dir: "{{ pool_scaling_evidence_dir }}"
  delegate_to: primary-1
'''

RETURN = r'''
in_force_before:
  description: The instance's /api/health/pool-config before the change (null when it did not answer).
  type: dict
  returned: success
backup:
  description: C(state=present) the backup taken (path, sha256, created - false when this run's backup existed).
  type: dict
  returned: success, when the file changed
backup_found:
  description: C(state=restored) whether this run's backup was there.
  type: bool
  returned: success, state=restored
readback:
  description: The instance's /api/health/pool-config once the expected file is in force.
  type: dict
  returned: success, not in check mode
stages:
  description: Each step's result by stage (prepare or restore, apply, verify), each with C(at) (UTC) when it started.
  type: dict
  returned: always
stage:
  description: The stage that failed (C(health) or C(readback) within verify).
  type: str
  returned: failure
  sample: readback
trigger:
  description: The rollback trigger the failure stands for (apply_failed, health_check_failed, config_not_in_force).
  type: str
  returned: failure
  sample: config_not_in_force
diff:
  description: The file's change (C(--diff)).
  type: dict
  returned: when the file changes and diff mode is on
'''

import datetime
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

POOL_KEYS = ('min', 'max', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis')


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def same_pool(a, b):
    try:
        return all(int(a[k]) == int(b[k]) for k in POOL_KEYS) and set(a) == set(POOL_KEYS)
    except (KeyError, TypeError, ValueError):
        return False


def get_json(url, timeout, token=''):
    headers = {'Authorization': 'Bearer %s' % token} if token else None
    res = open_url(url, timeout=timeout, validate_certs=False, follow_redirects='none', headers=headers)
    return res.getcode(), json.loads(res.read().decode('utf-8'))


def read_in_force(url, timeout, token):
    try:
        return get_json(url + '/api/health/pool-config', timeout, token)[1], None
    except Exception as err:  # noqa: BLE001 - any failure means "did not answer", said in its own words
        if getattr(err, 'code', None) == 401:
            return None, ('HTTP 401: it refused the bearer token sent' if token else
                          'HTTP 401: it requires a bearer token (name it by pool_instance_token_file or pool_instance_token_env)')
        return None, str(getattr(err, 'reason', None) or err)


def read_file(module, path, what):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as err:
        module.fail_json(msg='%s %s cannot be read: %s' % (what, path, err.strerror), stage=module.params['stage'])


def stage_file(module, path, data, like, mode=None, owner=None, group=None):
    """Write data to a temporary file beside path and give it its mode and owner; returns its path."""
    folder = os.path.dirname(path) or '.'
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        st = os.stat(like) if like and os.path.exists(like) else None
        os.chmod(tmp, int(mode, 8) if mode else (st.st_mode & 0o7777 if st else 0o644))
        if st is not None and os.geteuid() == 0:
            os.chown(tmp, st.st_uid, st.st_gid)
        if owner:
            module.set_owner_if_different(tmp, owner, False)
        if group:
            module.set_group_if_different(tmp, group, False)
        staged, tmp = tmp, None
        return staged
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def install(module, staged, path):
    """Rename a staged file over path and make the rename durable (never half a file, never a lost update)."""
    folder = os.path.dirname(path) or '.'
    try:
        os.rename(staged, path)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError as err:
        if os.path.exists(staged):
            os.unlink(staged)
        module.fail_json(msg='could not install %s: %s' % (path, err.strerror or err), stage=module.params['stage'])


def write_atomically(module, path, data, like, mode=None, owner=None, group=None):
    """Write data beside path, give it its mode and owner, then rename it over path."""
    install(module, stage_file(module, path, data, like, mode, owner, group), path)


def prepare(module):
    p = module.params
    path, backup = p['path'], '%s.bak-%s' % (p['path'], p['run_id'])
    new = p['content'].encode('utf-8')
    if sha256(new) != p['content_sha256']:
        module.fail_json(msg='the content for %s arrived with sha256 %s, not the %s validated on the control node: nothing was written' % (
            path, sha256(new), p['content_sha256']), stage='prepare')
    try:
        values = json.loads(p['content'])
    except ValueError as err:
        module.fail_json(msg='the content for %s is not JSON (%s)' % (path, err), stage='prepare')
    missing = [k for k in POOL_KEYS if k not in (values if isinstance(values, dict) else {})]
    if missing:
        module.fail_json(msg='the content for %s lacks %s' % (path, ', '.join(missing)), stage='prepare')
    old = read_file(module, path, 'the config file')
    in_force, why = read_in_force(p['url'], p['http_timeout'], p['token'])
    if in_force is None:
        module.fail_json(msg='%s/api/health/pool-config did not answer: %s' % (p['url'], why), stage='prepare')
    try:
        old_values = json.loads(old.decode('utf-8'))
    except ValueError:
        old_values = None
    result = dict(stage='prepare', changed=False, path=path, in_force=in_force, old_sha256=sha256(old), file_sha256=sha256(old),
                  target={k: int(values[k]) for k in POOL_KEYS}, backup=None, rendered=None)
    if isinstance(old_values, dict) and same_pool(old_values, values):
        return result
    result['changed'] = True
    result['diff'] = dict(before_header=path, after_header=path, before=old.decode('utf-8', 'replace'), after=new.decode('utf-8'))
    result['backup'] = dict(path=backup, sha256=sha256(old), created=not os.path.exists(backup))
    result['rendered'] = dict(path=path, sha256=sha256(new))
    if module.check_mode:
        return result
    # Staged before the backup: a file that cannot be written leaves no trace, so the rollback does not take this host
    # for a changed one.
    staged = stage_file(module, path, new, like=path, mode=p['mode'], owner=p['owner'], group=p['group'])
    try:
        if result['backup']['created']:
            # A second pass of the same run keeps the first backup: it holds the config from before this run.
            write_atomically(module, backup, old, like=path)
        else:
            result['backup']['sha256'] = sha256(read_file(module, backup, 'the backup'))
    except BaseException:  # fail_json exits: the candidate must not outlive a failed backup
        os.unlink(staged)
        raise
    install(module, staged, path)
    result['file_sha256'] = sha256(read_file(module, path, 'the config file written'))
    if result['file_sha256'] != p['content_sha256']:
        module.fail_json(msg='%s reads back with sha256 %s after the write, not the validated %s' % (
            path, result['file_sha256'], p['content_sha256']), stage='prepare')
    return result


def restore(module):
    p = module.params
    path, backup = p['path'], '%s.bak-%s' % (p['path'], p['run_id'])
    found = os.path.exists(backup)
    # Without a backup the run never rendered this file: it is the old config, and restoring means making the
    # instance run it (it may have been stopped or broken while the run was at it).
    data = read_file(module, backup if found else path, 'the backup' if found else 'the config file')
    try:
        target = json.loads(data.decode('utf-8'))
    except ValueError as err:
        module.fail_json(msg='%s is not JSON (%s): nothing to restore from' % (backup if found else path, err), stage='restore')
    changed = False
    if found and read_file(module, path, 'the config file') != data and not module.check_mode:
        write_atomically(module, path, data, like=path)
        changed = True
    in_force, why = read_in_force(p['url'], p['http_timeout'], p['token'])
    return dict(stage='restore', changed=changed, backup_found=found, target=target, file_sha256=sha256(data), in_force=in_force,
                answering=in_force is not None, not_answering_reason=why)


def apply(module):
    p = module.params
    method, manager = p['method'], p['service_manager']
    if manager == 'labctl':
        argv = [p['labctl'], 'hup' if method == 'sighup' else 'restart', p['labctl_name']]
    elif manager == 'systemd':
        argv = ['systemctl', 'reload' if method == 'sighup' else 'restart', p['service_name']]
    else:
        if method != 'sighup':
            module.fail_json(msg='a pid file can only take a SIGHUP; restart needs labctl or systemd', stage='apply')
        raw = read_file(module, p['pidfile'], 'the pid file').decode('utf-8', 'replace').strip()
        try:
            os.kill(int(raw), signal.SIGHUP)
        except (ValueError, OSError) as err:
            module.fail_json(msg='could not send SIGHUP to pid %r from %s: %s' % (raw, p['pidfile'], err), stage='apply')
        return dict(stage='apply', changed=True, method=method, pid=int(raw))
    rc, out, err = module.run_command(argv)
    if rc != 0:
        module.fail_json(msg='%s exited %d: %s' % (' '.join(argv), rc, (err or out).strip()), stage='apply', rc=rc)
    return dict(stage='apply', changed=True, method=method, cmd=argv, stdout=out.strip())


def verify(module):
    p = module.params
    url, wait_s, poll_s, timeout = p['url'], p['wait_s'], p['poll_s'], p['http_timeout']
    deadline, last = time.monotonic() + wait_s, 'no answer'
    while True:
        try:
            code = get_json(url + '/health', timeout)[0]
            if code == 200:
                break
            last = 'HTTP %d' % code
        except Exception as err:  # noqa: BLE001 - the last failure is what the message reports
            last = str(getattr(err, 'reason', None) or err)
        if time.monotonic() >= deadline:
            module.fail_json(msg='%s/health did not answer 200 within %g s (last: %s)' % (url, wait_s, last), stage='health')
        time.sleep(poll_s)
    deadline, seen = time.monotonic() + wait_s, None
    while True:
        seen, why = read_in_force(url, timeout, p['token'])
        if seen is not None and ((seen.get('sha256') == p['expected_sha256'] and not seen.get('reloading')) or seen.get('last_reload_error')):
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(poll_s)
    if seen is None or seen.get('sha256') != p['expected_sha256'] or not same_pool(seen.get('pool') or {}, p['expected_pool']):
        error = (seen or {}).get('last_reload_error')
        module.fail_json(
            msg='%s does not run the config written to %s: in force %s (sha256 %s), expected %s (sha256 %s)%s' % (
                p['name'] or url, p['path'], json.dumps((seen or {}).get('pool', 'unknown')), (seen or {}).get('sha256', '?'),
                json.dumps(p['expected_pool']), p['expected_sha256'],
                '; last reload error: %s' % error.get('message') if isinstance(error, dict) else ('; the instance did not answer: %s' % why if seen is None else '')),
            stage='readback', readback=seen)
    return dict(stage='verify', changed=False, readback=seen)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


STAGES = {'prepare': prepare, 'restore': restore, 'apply': apply, 'verify': verify}


def sequence(module, first):
    """first (prepare or restore), then apply when the file is not what runs, then verify: one whole change.

    A failing step exits through fail_json; the steps finished before it go along as `done`, so the caller can
    record them (a backup taken, a file rendered) before it reports the failure.
    """
    done, current, applying = [], [first], {}
    fail = module.fail_json

    def fail_with_done(**kw):
        # Helpers name the stage from the parameters ('change'): the step running is the one that failed.
        if kw.get('stage') in (None, 'change', 'revert'):
            kw['stage'] = current[0]
        if current[0] == 'apply':
            # The apply started: the caller records it (method, generation before) whatever it left behind.
            kw['applying'] = applying
        fail(done=done, **kw)

    module.fail_json = fail_with_done

    def step(name):
        current[0] = name
        at = utc_now()
        res = STAGES[name](module)
        res['at'] = at
        done.append(res)
        return res

    p = module.params
    first_res = step(first)
    if module.check_mode:
        return dict(stage=first, changed=first_res['changed'], steps=done)
    if first == 'restore' and not first_res['answering']:
        # An instance that does not answer cannot take a SIGHUP: start it afresh on the old file.
        p['method'] = 'restart'
    if (first_res['in_force'] or {}).get('sha256') != first_res['file_sha256']:
        applying.update(method=p['method'], generation_before=(first_res['in_force'] or {}).get('generation', 0))
        step('apply').update(applying)
    p['expected_sha256'], p['expected_pool'] = first_res['file_sha256'], first_res['target']
    step('verify')
    return dict(stage='verify', changed=any(r['changed'] for r in done), steps=done)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            stage=dict(type='str', required=True, choices=['prepare', 'restore', 'apply', 'verify', 'change', 'revert']),
            path=dict(type='path', required=True),
            url=dict(type='str', required=True),
            name=dict(type='str'),
            run_id=dict(type='str'),
            content=dict(type='str'),
            content_sha256=dict(type='str'),
            owner=dict(type='str'),
            group=dict(type='str'),
            mode=dict(type='str', default='0644'),
            method=dict(type='str', choices=['sighup', 'restart']),
            service_manager=dict(type='str', choices=['labctl', 'systemd', 'pidfile']),
            labctl=dict(type='path'),
            labctl_name=dict(type='str'),
            service_name=dict(type='str'),
            pidfile=dict(type='path'),
            expected_sha256=dict(type='str'),
            expected_pool=dict(type='dict'),
            wait_s=dict(type='float', default=30),
            poll_s=dict(type='float', default=0.2),
            http_timeout=dict(type='float', default=5),
            token=dict(type='str', default='', no_log=True),
        ),
        required_if=[
            ('stage', 'prepare', ('run_id', 'content', 'content_sha256')),
            ('stage', 'restore', ('run_id',)),
            ('stage', 'apply', ('method', 'service_manager')),
            ('stage', 'verify', ('expected_sha256', 'expected_pool')),
            ('stage', 'change', ('run_id', 'content', 'content_sha256', 'method', 'service_manager')),
            ('stage', 'revert', ('run_id', 'method', 'service_manager')),
        ],
        supports_check_mode=True,
    )
    stage = module.params['stage']
    if stage in ('change', 'revert'):
        module.exit_json(**sequence(module, 'prepare' if stage == 'change' else 'restore'))
    if stage in ('apply', 'verify') and module.check_mode:
        module.exit_json(stage=stage, changed=False, skipped=True, msg='nothing is applied in check mode')
    module.exit_json(**STAGES[stage](module))


if __name__ == '__main__':
    main()

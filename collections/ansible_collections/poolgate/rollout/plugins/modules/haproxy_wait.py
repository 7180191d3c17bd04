#!/usr/bin/python
# -*- coding: utf-8 -*-
"""Waits, bounded, until servers at HAProxy are drained or UP, reading the admin socket on the load balancer's host.

Runs where HAProxy runs (delegate_to the lb host), with Python's standard library only: nothing of poolgate is
installed there. The rollout drains servers with community.general.haproxy and waits here, because that module's
own wait wants the literal status DRAIN (which a server whose health check fails never shows) and blocks forever on
a socket that stops answering (community.general #8092); preflight uses the same wait with until=up as its check
that the admin socket answers and HAProxy sees every instance UP.
"""

from __future__ import annotations

DOCUMENTATION = r'''
module: haproxy_wait
short_description: Wait, bounded, until servers at HAProxy are drained (no session in flight) or UP
description:
  - Reads C(show stat) on HAProxy's runtime API every I(interval) seconds until every server in I(servers) reached
    I(until), or I(timeout) seconds passed (then it fails naming each server's last status and sessions).
  - C(drained) means HAProxy sends the server nothing new and nothing is in flight, the admin state DRAIN or MAINT,
    or health DOWN (a stopped instance is as drained as it gets), with zero current sessions.
    C(up) means its health checks pass and it takes traffic (status UP, neither DRAIN nor MAINT).
  - A socket that does not answer within I(socket_timeout) seconds fails the task at once (nothing to wait for); a
    backend or a server HAProxy does not know fails it too.
  - Reads only; supports check mode (it then still reads, and changes nothing).
  - Python standard library only on the host; poolgate's own C(poolgate lb wait) does the same from the control node.
version_added: 1.2.0
author: poolgate maintainers
options:
  socket:
    description:
      - HAProxy's admin socket on the host (C(stats socket ... level admin)), a unix socket path, or a TCP one as
        C(tcp://host:port) or HAProxy's own C(ipv4@host:port).
    type: str
    default: /run/haproxy/admin.sock
  backend:
    description: The backend the servers are in.
    type: str
    required: true
  servers:
    description: The servers to wait for, by name in that backend; all are waited for at once.
    type: list
    elements: str
    required: true
  until:
    description: The state to wait for.
    type: str
    choices: [drained, up]
    required: true
  timeout:
    description: Seconds before giving up (the task then fails).
    type: float
    default: 30
  interval:
    description: Seconds between two reads of C(show stat) (a read costs about a millisecond of HAProxy's time).
    type: float
    default: 0.5
  socket_timeout:
    description: Seconds one read of the socket may take.
    type: float
    default: 3
notes:
  - Needs read access to the socket (root or HAProxy's group on most systems; C(become) when the SSH user has not).
seealso:
  - module: community.general.haproxy
'''

EXAMPLES = r'''
- name: Wait until both primaries are drained, with no session in flight
  poolgate.rollout.haproxy_wait:
    socket: /run/haproxy/admin.sock
    backend: app
    servers: [primary-1, primary-2]
    until: drained
    timeout: 30
  delegate_to: lb-1

- name: Check HAProxy's admin socket answers and sees every instance UP
  poolgate.rollout.haproxy_wait:
    backend: app
    servers: "{{ groups['app'] }}"
    until: up
    timeout: 10
  delegate_to: "{{ groups['lb'][0] }}"
  become: true
'''

RETURN = r'''
servers:
  description: Each server's last status as read, in the order given.
  type: list
  elements: dict
  returned: always
  contains:
    server: {description: The server's name., type: str}
    status: {description: "HAProxy's status column (UP, DOWN, DRAIN, MAINT, C(UP 1/2) ...).", type: str}
    sessions: {description: Current sessions (scur)., type: int}
    reached: {description: Whether the server is in the state waited for., type: bool}
  sample: [{server: primary-1, status: DRAIN, sessions: 0, reached: true}]
waited_s:
  description: Seconds from the first read to the read that settled it.
  type: float
  returned: always
  sample: 1.2
'''

import re
import socket
import time

from ansible.module_utils.basic import AnsibleModule


def connect(spec, timeout):
    """A connected socket for a unix path, tcp://host:port or HAProxy's ipv4@host:port."""
    m = re.match(r'^(?:tcp://|ipv4@)(\[[^\]]+\]|[^:/]+):(\d+)/?$', spec)
    if m:
        return socket.create_connection((m.group(1).strip('[]'), int(m.group(2))), timeout=timeout)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(spec)
    except BaseException:
        s.close()
        raise
    return s


def command(spec, text, timeout):
    """One runtime API command on its own connection (HAProxy answers and closes in non-interactive mode)."""
    s = connect(spec, timeout)
    try:
        s.sendall(text.encode('ascii') + b'\n')
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
        return b''.join(chunks).decode('utf-8', 'replace')
    finally:
        s.close()


def parse_show_stat(csv):
    """`show stat`: a "# pxname,svname,..." header, one row per frontend, server and backend."""
    lines = [line for line in csv.split('\n') if line.strip()]
    header = next((line for line in lines if line.startswith('# ')), None)
    if header is None:
        raise ValueError('"show stat" answered without a header: %s' % csv[:200])
    cols = header[2:].split(',')
    rows = []
    for line in lines:
        if line.startswith('#'):
            continue
        cells = line.split(',')
        rows.append({c: (cells[i] if i < len(cells) else '') for i, c in enumerate(cols) if c})
    return rows


def reached(until, status, sessions):
    """The same rule as scripts/lib/lb-wait.ts (poolgate lb wait): see DOCUMENTATION."""
    s = status.upper()
    if until == 'up':
        return s.startswith('UP') and 'DRAIN' not in s and 'MAINT' not in s
    return re.match(r'^(DRAIN|MAINT|DOWN|NOLB)', s) is not None and sessions == 0


def read(module, p):
    try:
        rows = parse_show_stat(command(p['socket'], 'show stat', p['socket_timeout']))
    except (OSError, ValueError) as err:
        module.fail_json(msg='HAProxy admin socket %s did not answer "show stat": %s' % (p['socket'], err),
                         unreachable_socket=True, servers=[], waited_s=0.0)
    if not any(r.get('pxname') == p['backend'] for r in rows):
        module.fail_json(msg='HAProxy has no backend "%s" (socket %s)' % (p['backend'], p['socket']), servers=[], waited_s=0.0)
    by_name = {r.get('svname'): r for r in rows if r.get('pxname') == p['backend'] and r.get('svname') not in ('FRONTEND', 'BACKEND')}
    unknown = [s for s in p['servers'] if s not in by_name]
    if unknown:
        module.fail_json(msg='HAProxy backend "%s" has no server %s: server names must be the inventory names' % (
            p['backend'], ', '.join(unknown)), servers=[], waited_s=0.0)
    out = []
    for name in p['servers']:
        row = by_name[name]
        try:
            sessions = int(row.get('scur') or 0)
        except ValueError:
            sessions = 0
        status = row.get('status', '')
        out.append(dict(server=name, status=status, sessions=sessions, reached=reached(p['until'], status, sessions)))
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            socket=dict(type='str', default='/run/haproxy/admin.sock'),
            backend=dict(type='str', required=True),
            servers=dict(type='list', elements='str', required=True),
            until=dict(type='str', required=True, choices=['drained', 'up']),
            timeout=dict(type='float', default=30),
            interval=dict(type='float', default=0.5),
            socket_timeout=dict(type='float', default=3),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not p['servers']:
        module.fail_json(msg='servers is empty: name at least one server to wait for')
    if p['timeout'] <= 0 or p['interval'] <= 0 or p['socket_timeout'] <= 0:
        module.fail_json(msg='timeout, interval and socket_timeout must be positive')
    started = time.monotonic()
    while True:
        servers = read(module, p)
        waited = round(time.monotonic() - started, 3)
        if all(s['reached'] for s in servers):
            module.exit_json(changed=False, servers=servers, waited_s=waited)
        if waited >= p['timeout']:
            late = ['%s/%s %s, %d sessions' % (p['backend'], s['server'], s['status'], s['sessions']) for s in servers if not s['reached']]
            module.fail_json(msg='not %s after %g s: %s' % (p['until'], waited, '; '.join(late)), servers=servers, waited_s=waited)
        time.sleep(min(p['interval'], max(0.0, p['timeout'] - waited)))


if __name__ == '__main__':
    main()

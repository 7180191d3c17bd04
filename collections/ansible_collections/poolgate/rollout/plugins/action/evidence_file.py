# -*- coding: utf-8 -*-
"""Action poolgate.rollout.evidence_file: the run's evidence folder, or one file in it, on the control node.

Evidence is written on the control node in check mode too (it records what a check run looked at). Done in the
controller's worker, it costs no module run (ansible.builtin.file/copy cost one each); a file is written beside its
final name and renamed over it, so a reader never sees half of it.
"""

from __future__ import annotations

# Documented in plugins/modules/evidence_file.py, where ansible-doc reads it (ansible-doc -t module poolgate.rollout.evidence_file).

import base64
import binascii
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('path', 'content', 'content_b64', 'mode'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        _, a = self.validate_argument_spec(argument_spec=dict(
            path=dict(type='str', required=True),
            content=dict(type='str'),
            content_b64=dict(type='str'),
            mode=dict(type='str', default='0644'),
        ), mutually_exclusive=[('content', 'content_b64')])
        path, mode = a['path'], int(a['mode'], 8)
        try:
            data = base64.b64decode(a['content_b64']) if a['content_b64'] is not None else (
                None if a['content'] is None else a['content'].encode('utf-8'))
            if data is None:
                existed = os.path.isdir(path)
                os.makedirs(path, mode=mode | 0o111, exist_ok=True)
                result.update(changed=not existed, path=path)
                return result
            folder = os.path.dirname(path) or '.'
            os.makedirs(folder, exist_ok=True)
            fd, part = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=folder)
            try:
                with os.fdopen(fd, 'wb') as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(part, mode)
                os.rename(part, path)
            except BaseException:
                if os.path.exists(part):
                    os.unlink(part)
                raise
        except (OSError, binascii.Error) as err:
            raise AnsibleActionFail('could not write %s: %s' % (path, getattr(err, 'strerror', None) or err))
        result.update(changed=True, path=path)
        return result

# -*- coding: utf-8 -*-
"""The run's events.jsonl on the control node: one JSON object per line, appended as each step happens."""

from __future__ import annotations

import datetime
import json
import os


def now_utc():
    """The timestamp format every events.jsonl line carries (as the playbooks always wrote it)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def append_event(evidence_dir, host, event, at=None):
    """Append {at, host, **event} to <evidence_dir>/events.jsonl; returns the line written. `at` defaults to now.

    One write(2) of the whole line on an O_APPEND descriptor, then fsync: a reader (or a run interrupted right
    after) sees whole lines only, and the step is on disk before the next one starts.
    """
    line = json.dumps(dict({'at': at or now_utc(), 'host': host}, **event), separators=(', ', ': ')) + '\n'
    path = os.path.join(evidence_dir, 'events.jsonl')
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode('utf-8'))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line

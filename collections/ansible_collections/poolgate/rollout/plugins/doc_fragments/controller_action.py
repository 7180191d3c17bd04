# -*- coding: utf-8 -*-
"""What every action of poolgate.rollout supports: each runs on the control node only (no module is shipped to a
host), in check mode too. A plugin's own DOCUMENTATION adds the details that differ (its check mode, its diff)."""

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options: {}
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
'''

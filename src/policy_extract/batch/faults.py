"""Test-only fault injection, read in workers only, so tests can make a worker fail as real ones do.

``POLICY_EXTRACT_TEST_WORKER_FAULT=FAULT:GLOB``, for a file whose name matches GLOB:

* ``kill``: the worker kills itself with SIGKILL before converting it (as the OOM killer would);
* ``hang``: it blocks the alarm and sleeps (as code stuck in a C library would);
* ``linger``: it waits a second after writing the outputs, before reporting them (a Ctrl-C
  lands while a finished document is still in flight).
"""

from __future__ import annotations

import os
import signal
import time
from fnmatch import fnmatch

from .jobs import Job

__all__ = ["FAULT_HOOK", "inject_test_fault"]

FAULT_HOOK = "POLICY_EXTRACT_TEST_WORKER_FAULT"


def inject_test_fault(job: Job, *, after_writing: bool = False) -> None:
    """In a worker, the fault ``FAULT_HOOK`` asks for at this point of converting ``job``."""
    fault, _, fault_glob = os.environ.get(FAULT_HOOK, "").partition(":")
    if not fault_glob or not fnmatch(job.source.name, fault_glob):
        return
    if after_writing:
        if fault == "linger":
            time.sleep(1)
        return
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)

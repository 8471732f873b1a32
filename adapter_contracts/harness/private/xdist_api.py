"""pytest-xdist's and execnet's private API, where no public one exists (pytest-xdist 3, execnet 2).

* :func:`worker_pid`: the process id of an xdist worker, on its controller.  xdist tells a
  controller its workers' interpreter, platform and directory (``node.workerinfo``), not
  their process ids; asking a worker (``gateway.remote_exec``) would wait until its main
  thread, which runs the tests, is free.  execnet starts each local worker with
  ``subprocess.Popen`` and keeps it on the gateway's IO object.
"""

from __future__ import annotations

from typing import Any

__all__ = ["worker_pid"]


def worker_pid(node: Any) -> int | None:
    """The process id of the local worker behind xdist's ``node`` (a ``WorkerController``); None when
    the worker is not a local subprocess (an ``ssh``/``socket`` gateway) or execnet keeps it elsewhere."""
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    pid = getattr(popen, "pid", None)
    return pid if isinstance(pid, int) else None

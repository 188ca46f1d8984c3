"""The worker pool (riia.workers) under a stop. Ctrl-C and SIGTERM reach every process of a
terminal's or a service's group at once, workers included: the workers leave the stop to the
process that started them (a worker stopped mid-pool broke the pool under the jobs the build
had cancelled, and the build hung on its way out), which ends, saying so."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT

# a build's way of stopping (riia.build: the signal raises, the process says so and exits)
RUNNER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from riia import workers

    class Stopped(KeyboardInterrupt):
        pass

    def stop(number, frame):
        raise Stopped()

    def job(seconds):
        Path(sys.argv[1], f"started-{os.getpid()}-{time.monotonic()}").touch()
        if sys.argv[2] == "self":  # the job's own process receives the stop
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(seconds)
        return seconds

    forks = []

    def forked():  # the stop comes after the first worker's fork, the others still to come
        forks.append(1)
        if len(forks) == 1:
            os.killpg(0, signal.SIGINT)

    if sys.argv[2] == "forking":  # a worker slow to reach its first act
        os.register_at_fork(after_in_child=lambda: time.sleep(0.5), after_in_parent=forked)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print(sum(workers.run_each(job, [0.5] * 4)), flush=True)  # half a second a job
    except Stopped:
        print("stopped", flush=True)
        sys.exit(143)
    """
)


def start(folder: Path, how: str) -> subprocess.Popen:
    # more workers than jobs running at once: one waits for work when the stop comes
    env = os.environ | {"RIIA_WORKERS": "3", "PYTHONPATH": str(PROJECT_ROOT / "scripts")}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(folder), how],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the process was still running 30 s after the stop")
    return proc.returncode, out.strip(), err


def test_a_worker_leaves_a_stop_to_the_process_that_started_it(tmp_path: Path) -> None:
    # each job's own worker receives SIGTERM and SIGINT: the jobs still end, with their results
    returncode, out, err = finish(start(tmp_path, "self"))
    assert (returncode, out) == (0, "2.0"), err


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl_c"])
def test_a_stop_sent_to_the_whole_group_while_jobs_run_ends_the_process(tmp_path: Path, stop: int) -> None:
    proc = start(tmp_path, "group")
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("started-*")):  # a worker is running a job
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, stop)
    returncode, out, err = finish(proc)
    assert (returncode, out) == (143, "stopped"), err
    assert "Traceback" not in err


def test_a_stop_sent_to_the_whole_group_while_the_workers_are_forked_ends_the_process(tmp_path: Path) -> None:
    # the stop reaches the build between two forks and a worker before its first act: it
    # once left a traceback from that worker, or workers nobody stopped and a build that hung
    returncode, out, err = finish(start(tmp_path, "forking"))
    assert (returncode, out) == (143, "stopped"), err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert not list(tmp_path.glob("started-*"))  # the jobs were cancelled before any started


# a build's start (riia.build.run): the workers forked first, then the long steps
STARTER = textwrap.dedent(
    """
    import time
    from riia import workers

    workers.start()
    print("started", flush=True)
    time.sleep(60)
    """
)


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().split(")")[-1].split()[1]) == pid:
                found.add(int(stat.parent.name))
        except (OSError, ValueError):
            pass
    return found


def alive(pid: int) -> bool:
    """A process that exists and has not ended (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_started_before_the_build_end_when_it_is_killed_outright(tmp_path: Path) -> None:
    """`riia build` forks its workers first: killed on its own (SIGKILL, the out-of-memory
    killer), it must not leave them waiting for work, holding what they inherited."""
    env = os.environ | {"RIIA_WORKERS": "2", "PYTHONPATH": str(PROJECT_ROOT / "scripts")}
    proc = subprocess.Popen(
        [sys.executable, "-c", STARTER], env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert proc.stdout.readline().strip() == "started"
        pids = children(proc.pid)
        assert len(pids) == 2  # forked by start(), before any job
        assert all(alive(pid) for pid in pids)
        os.kill(proc.pid, signal.SIGKILL)  # the build alone, not its group
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in pids)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

"""Reading uploads in a separate, limited process, so that a crafted file cannot take the server down.

calamine (Rust) can abort the whole process on a crafted file (a huge allocation, a panic that
is not an ``Exception``), and any parser can loop or eat memory. So the server never parses an
upload itself: :func:`read_isolated` runs the cheap :func:`precheck`, then hands the path to a
persistent worker process (``spawn`` context) that runs :func:`read.read_workbook_rows` under an
address-space limit (``Limits.worker_memory_mb``) while the parent enforces a wall-clock timeout
(``Limits.worker_timeout_s``). Whatever happens to the child, the caller gets a
:class:`RawWorkbook`: a dead or hung child becomes an ``unreadable`` issue whose ``params``
say why (``reason``: ``crashed``, ``timed_out``, ``out_of_memory``), and the next call starts a
fresh child.

A worker serves one file at a time; a lock makes :class:`ReaderWorker` safe to share between
threads (callers queue). The server's readers form a :class:`ReaderPool` of up to
``YTSUPPORT_READER_WORKERS`` workers (default 2, started as needed), so that one slow or hostile
upload, which holds its worker until it ends or times out, does not stop other users' files from
being read. The worker runs :func:`read.read_workbook_rows`: the sheets' rows stay Arrow record
batches, which travel back pickled with protocol 5 and out-of-band buffers (no copy into the
pickle stream, no Python object per cell); the caller turns them into pandas.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing as mp
import os
import pickle
import signal
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from ..settings import Limits, get_settings
from .records import Issue, RawWorkbook
from .precheck import precheck
from .read import describe, file_format, read_workbook_rows

Target = Callable[[Path, Limits], RawWorkbook]

STARTUP_TIMEOUT_S = 60.0
STDERR_HEAD_BYTES = 2000
_READY = "ready"
_M_ARENA_MAX = -8  # glibc's mallopt parameter number
_OOM_MARKERS = ("memory allocation of", "MemoryError", "Cannot allocate memory", "out of memory")


# --------------------------------------------------------------------------- the child process

def _limit_memory(memory_mb: int) -> None:
    """Cap the child's address space (Linux/macOS); a no-op where ``resource`` is missing (Windows)."""
    try:
        import resource
    except ImportError:
        return
    limit = int(memory_mb) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass  # e.g. a hard limit already lower, or a platform that refuses RLIMIT_AS


def _lean_allocators() -> None:
    """Keep the reader's address space close to the memory it really uses, since its limit counts
    address space: each thread's glibc arena and Arrow's default allocator (mimalloc or jemalloc)
    reserve 64-130 MB up front. Two arenas and the system allocator leave a warm reader at about
    420 MB of address space instead of 810 MB; a 100,000-row workbook then reads in 0.58 s
    instead of 0.54 s (measured), a fair price for fitting the default 1 GB limit."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc: nothing reserved that way
        pass
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def _redirect_stderr(stderr_path: str | None) -> None:
    """Send fd 2 (where Rust writes its panic and allocation messages) to a file the parent reads."""
    if stderr_path is None:
        return
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    os.dup2(fd, 2)
    os.close(fd)


def _send(conn: Connection, result: RawWorkbook) -> None:
    """Pickle with protocol 5, sending large buffers out of band (no copy into the stream)."""
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    conn.send(len(buffers))
    conn.send_bytes(payload)
    for buffer in buffers:
        conn.send_bytes(buffer.raw())


def _receive(conn: Connection) -> RawWorkbook:
    count = conn.recv()
    payload = conn.recv_bytes()
    buffers = [conn.recv_bytes() for _ in range(count)]
    return pickle.loads(payload, buffers=buffers)


def _serve(conn: Connection, memory_mb: int, target: Target, stderr_path: str | None) -> None:
    """The child's loop: limit memory, say ready, then read each requested path until told to stop."""
    _redirect_stderr(stderr_path)
    _limit_memory(memory_mb)
    _lean_allocators()
    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # dtype fallbacks are expected here
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    conn.send(_READY)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, limits = request
        if stderr_path is not None:
            os.ftruncate(2, 0)  # O_APPEND: the next message lands at offset 0
        _send(conn, target(Path(path), limits))
        _give_back_memory()


def _give_back_memory() -> None:
    """Return the memory a read freed to the system, so an idle worker does not sit on its peak.

    Arrow's pool and glibc's heap (where calamine's cells were) both keep freed pages for reuse;
    a worker that has just read a 100 MB sheet would otherwise hold that much for good. (The
    result was freed by reference counting when it had been sent; no garbage collection needed.)
    """
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - an optimisation only
        pass
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to do
        pass


# --------------------------------------------------------------------------- the parent side

def _unreadable(path: Path, reason: str, detail: str, **extra: Any) -> RawWorkbook:
    issue = Issue(None, None, None, "unreadable", "error", {"reason": reason, "detail": detail, **extra})
    return RawWorkbook(str(path), file_format(path), issues=[issue])



# A file this large is read in a fresh reader process (a warm reader holds a few hundred MB that
# earlier reads left; a 500,000-row CSV needs the rest of the memory limit for itself).
FRESH_READER_BYTES = 16 * 1024 * 1024


def _large(path: Path) -> bool:
    try:
        return path.stat().st_size >= FRESH_READER_BYTES
    except OSError:
        return False  # the read itself reports the file as unreadable

class ReaderWorker:
    """A persistent reader process with memory and time limits, restarted lazily after a failure.

    ``target`` is the function run in the child (``read_workbook_rows``; tests pass others); it must
    be importable by name, as the child is started with ``spawn``. ``read`` is thread-safe:
    concurrent callers are served one after another. ``restarts`` counts the children replaced
    (after a crash or timeout, or for a new memory limit).
    """

    def __init__(self, target: Target = read_workbook_rows) -> None:
        self._target = target
        self._context = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._memory_mb: int | None = None
        self._stderr_path: str | None = None
        self.restarts = 0

    # ----------------------------------------------------------- public

    def read(self, path: Path, limits: Limits) -> RawWorkbook:
        """Read ``path`` in the worker; never raises for a bad file (see the module docstring)."""
        path = Path(path)
        with self._lock:
            if _large(path) and self._process is not None:
                self._stop()  # a fresh reader: what earlier reads left in this one never counts against the limit
            try:
                self._ensure_started(limits.worker_memory_mb)
            except (OSError, EOFError, TimeoutError) as exc:
                self._stop()
                return _unreadable(path, "crashed", f"the reader process did not start: {describe(exc)}")
            return self._request(path, limits)

    def close(self) -> None:
        """Stop the child process (it is restarted by the next ``read``)."""
        with self._lock:
            self._stop()
            if self._stderr_path is not None:
                Path(self._stderr_path).unlink(missing_ok=True)
                self._stderr_path = None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (for tests and diagnostics)."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    # ----------------------------------------------------------- lifecycle

    def _ensure_started(self, memory_mb: int) -> None:
        if self._process is not None and self._process.is_alive() and self._memory_mb == memory_mb:
            return
        if self._process is not None:
            self._stop()
            self.restarts += 1
        if self._stderr_path is None:
            handle, self._stderr_path = tempfile.mkstemp(prefix="ytsupport-reader-", suffix=".log")
            os.close(handle)
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_serve, name="ytsupport-reader", daemon=True,
                                        args=(child, memory_mb, self._target, self._stderr_path))
        process.start()
        child.close()
        self._process, self._conn, self._memory_mb = process, parent, memory_mb
        if not parent.poll(STARTUP_TIMEOUT_S):
            raise TimeoutError("no answer from the reader process")
        if parent.recv() != _READY:
            raise OSError("unexpected greeting from the reader process")

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            try:
                if process is not None and process.is_alive():
                    conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        if process is not None:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            process.close()

    def _kill(self) -> int | None:
        """Kill the child now; returns its exit code."""
        process = self._process
        if process is not None and process.is_alive():
            process.kill()
        if process is not None:
            process.join(timeout=5)
        code = process.exitcode if process is not None else None
        self._stop()
        self.restarts += 1
        return code

    # ----------------------------------------------------------- one request

    def _request(self, path: Path, limits: Limits) -> RawWorkbook:
        conn = self._conn
        assert conn is not None
        try:
            conn.send((str(path), limits))
            if not conn.poll(limits.worker_timeout_s):
                self._kill()
                return _unreadable(path, "timed_out",
                                   f"reading took longer than the time limit of {limits.worker_timeout_s:g} s",
                                   limit="worker_timeout_s", max=limits.worker_timeout_s)
            return _receive(conn)
        except (EOFError, OSError, pickle.UnpicklingError):
            return self._crashed(path, limits)

    def _crashed(self, path: Path, limits: Limits) -> RawWorkbook:
        """The child died mid-request: say how (signal, exit code, the first line it wrote to stderr)."""
        code = self._kill()
        head = self._stderr_head()
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        first = head.strip().splitlines()[0] if head.strip() else ""
        if code == -signal.SIGKILL or any(m in head for m in _OOM_MARKERS):
            detail = f"reading needed more than the memory limit of {limits.worker_memory_mb} MB ({how}) {first}"
            return _unreadable(path, "out_of_memory", detail.strip(), limit="worker_memory_mb",
                               max=limits.worker_memory_mb, exitcode=code)
        detail = f"the reader process crashed ({how}) {first}"
        return _unreadable(path, "crashed", detail.strip(), exitcode=code)

    def _stderr_head(self) -> str:
        if self._stderr_path is None:
            return ""
        try:
            with open(self._stderr_path, "rb") as fh:
                return fh.read(STDERR_HEAD_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return ""


# --------------------------------------------------------------------------- a pool of workers

class ReaderPool:
    """Up to ``size`` :class:`ReaderWorker` s serving reads concurrently, started as needed.

    ``read`` takes an idle worker (the most recently used: it is warm), starts a new one while
    fewer than ``size`` exist, or waits for one to come back. Same interface as a worker: ``read``,
    ``close``, ``pid`` (of the worker the next read would use), ``restarts`` (summed); ``pids`` lists
    the running workers.
    """

    def __init__(self, size: int = 2, target: Target = read_workbook_rows) -> None:
        self.size = max(1, int(size))
        self._target = target
        self._workers: list[ReaderWorker] = []
        self._idle: list[ReaderWorker] = []
        self._available = threading.Condition()

    def read(self, path: Path, limits: Limits) -> RawWorkbook:
        """Read ``path`` in an idle worker; never raises for a bad file."""
        reader = self._acquire()
        try:
            return reader.read(path, limits)
        finally:
            self._release(reader)

    def close(self) -> None:
        """Stop every worker (they are started again by the next reads)."""
        with self._available:
            workers = list(self._workers)
        for reader in workers:
            reader.close()

    @property
    def pid(self) -> int | None:
        """The process id of the idle worker a read would use next, else of any running one."""
        with self._available:
            order = list(reversed(self._idle)) + self._workers
        return next((r.pid for r in order if r.pid is not None), None)

    @property
    def pids(self) -> list[int]:
        with self._available:
            workers = list(self._workers)
        return [r.pid for r in workers if r.pid is not None]

    @property
    def restarts(self) -> int:
        return sum(r.restarts for r in self._workers)

    def _acquire(self) -> ReaderWorker:
        with self._available:
            while not self._idle and len(self._workers) >= self.size:
                self._available.wait()
            if self._idle:
                return self._idle.pop()
            reader = ReaderWorker(self._target)
            self._workers.append(reader)
            return reader

    def _release(self, reader: ReaderWorker) -> None:
        with self._available:
            self._idle.append(reader)
            self._available.notify()


# --------------------------------------------------------------------------- module-level API

_shared: ReaderPool | None = None
_shared_lock = threading.Lock()


def pool_size() -> int:
    """How many reader processes may run at once (setting ``YTSUPPORT_READER_WORKERS``, default 2)."""
    return Limits().reader_workers


def shared_worker() -> ReaderPool:
    """The process-wide pool of reader workers, created on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ReaderPool(pool_size())
            atexit.register(_shared.close)
        return _shared


def read_isolated(path: Path, limits: Limits | None = None, materialise: bool = True) -> RawWorkbook:
    """Pre-check ``path``, then read it in the shared worker; never raises for a bad file.

    When the pre-check finds an error, its issues are returned without parsing anything. The
    rows arrive as Arrow; with ``materialise`` every sheet's become pandas at once, without it
    the caller turns each sheet when it needs it (:meth:`RawSheet.materialise`).
    """
    path = Path(path)
    limits = limits or get_settings().limits
    issues = precheck(path, limits)
    if any(i.severity == "error" for i in issues):
        return RawWorkbook(str(path), file_format(path), issues=issues)
    result = shared_worker().read(path, limits)
    result.issues[:0] = issues
    return result.materialise() if materialise else result


def read_in_process(path: Path, limits: Limits | None = None, materialise: bool = True) -> RawWorkbook:
    """:func:`read_isolated` in this process, without isolation: for benchmarks and tools only."""
    path = Path(path)
    limits = limits or get_settings().limits
    issues = precheck(path, limits)
    if any(i.severity == "error" for i in issues):
        return RawWorkbook(str(path), file_format(path), issues=issues)
    result = read_workbook_rows(path, limits)
    return result.materialise() if materialise else result

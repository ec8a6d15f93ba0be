"""`govkit serve`: uvicorn server processes, the connections handed to them in turn.

With one listening socket shared by several processes (uvicorn's ``--workers``), whichever
process wakes first accepts a whole burst of connections: in the rentrée benchmark all 16
keep-alive connections went to one process of two, and the other one idled. A socket per
process (SO_REUSEPORT) spreads them by a hash, unevenly enough to move the throughput by 30 %
from run to run. Here the parent process accepts each connection and hands it (its file
descriptor, over a Unix socket) to the next server process in turn; the server processes serve
what they are handed. With one process, uvicorn serves alone.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

import uvicorn

from govkit.errors import GovkitError
from govkit.stopping import Stopped, stops_cleanly

APP = "govkit.app:serving_app"
#: A server process that exits before it said it was serving, or this soon after its start, counts
#: as failing to start (however long a loaded machine made it take); after so many in a row,
#: `govkit serve` stops rather than restart them for ever.
QUICK_DEATH_SECONDS = 10.0
#: What a server process writes on its channel once it serves (the parent reads it when it dies).
READY = b"r"
MAX_QUICK_DEATHS = 3
#: How long server processes have to finish the requests under way once asked to stop.
STOP_SECONDS = 30.0
log = logging.getLogger("govkit")


def serve(*, host: str, port: int, workers: int = 1, log_level: str = "info", access_log: bool = False) -> None:
    """Serve the API until interrupted (SIGINT, SIGTERM); ``workers`` processes."""
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, workers=1, log_level=log_level, access_log=access_log)
        return
    listener = _listening_socket(host, port)  # OSError (address in use) before anything starts
    _Supervisor(listener, workers, {"host": host, "port": port, "log_level": log_level, "access_log": access_log}).run()


@dataclass
class _Process:
    process: multiprocessing.process.BaseProcess
    channel: socket.socket  # the parent's end: connections are sent over it
    started: float


class _Supervisor:
    """Accepts connections, hands each to the next server process, restarts those that die."""

    def __init__(self, listener: socket.socket, workers: int, options: dict[str, Any]) -> None:
        self.listener = listener
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.workers = workers
        self.processes: list[_Process] = []
        self.stopping: int | None = None  # the signal that stops the server
        self.hurry = False
        self.turn = 0
        self.failures = 0  # server processes in a row that died soon after starting

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM; then stop the server processes and raise ``Stopped`` for
        that signal (``stops_cleanly``, around the command, ends the process killed by it)."""

        def stop(signum: int, frame: FrameType | None) -> None:
            if self.stopping is not None:
                self.hurry = True  # a second signal: stop waiting for the requests under way
            else:
                self.stopping = signum

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        self.listener.setblocking(False)
        try:
            for index in range(self.workers):  # under the handlers above: a signal waits for them
                self.processes.append(self._start(index))
            while self.stopping is None:
                ready, _, _ = select.select([self.listener], [], [], 0.2)
                if ready:
                    self._hand_over()
                self._replace_dead()
        finally:
            self.listener.close()
            self._stop_servers()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self.stopping is not None:
            # Raised, not re-signalled: the signal could find SIG_IGN (a second one already began
            # the stop), and the command would then end as if nothing happened (exit status 0).
            raise Stopped(self.stopping)

    def _stop_servers(self) -> None:
        for server in self.processes:
            server.channel.close()  # a server process whose channel ends stops taking connections
            if server.process.is_alive():
                server.process.terminate()  # SIGTERM: uvicorn finishes the requests under way
        deadline = time.monotonic() + STOP_SECONDS
        for server in self.processes:
            while server.process.is_alive() and time.monotonic() < deadline and not self.hurry:
                server.process.join(0.1)
            if server.process.is_alive():
                server.process.kill()
                server.process.join()

    def _start(self, index: int) -> _Process:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = self.context.Process(
            target=_server_process, args=(child, self.options), name=f"govkit-serve-{index}", daemon=False
        )
        process.start()
        child.close()
        return _Process(process, parent, time.monotonic())

    def _hand_over(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            with connection:
                for _ in range(len(self.processes)):
                    server = self.processes[self.turn]
                    self.turn = (self.turn + 1) % len(self.processes)
                    try:
                        socket.send_fds(server.channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:  # that process is gone: the next one takes it
                        continue
                # the server process holds its own descriptor now; the parent's copy closes here

    def _replace_dead(self) -> None:
        for index, server in enumerate(self.processes):
            if server.process.is_alive() or self.stopping is not None:
                continue
            quick = not _was_ready(server.channel) or time.monotonic() - server.started < QUICK_DEATH_SECONDS
            self.failures = self.failures + 1 if quick else 1
            if self.failures > MAX_QUICK_DEATHS:
                raise GovkitError(
                    "server processes keep exiting right after starting (the last with code "
                    f"{server.process.exitcode}): see the errors above"
                )
            log.warning("server process %s exited with code %s: starting another", index, server.process.exitcode)
            server.channel.close()
            time.sleep(0.5 * self.failures)  # back off while they keep failing
            self.processes[index] = self._start(index)


def _was_ready(channel: socket.socket) -> bool:
    """Whether the (dead) server process behind ``channel`` said it was serving: what it wrote
    stays readable after its end."""
    try:
        return channel.recv(1, socket.MSG_DONTWAIT) == READY
    except OSError:  # nothing written (BlockingIOError) or the channel is broken
        return False


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _server_process(channel: socket.socket, options: dict[str, Any]) -> None:
    """One server process: the app built from GOVKIT_*, serving the connections handed to it."""
    try:
        config = uvicorn.Config(APP, factory=True, **options)
        stops_cleanly(_HandedServer(config, channel).run)()  # its render pool's workers stop with it
    except Exception as exc:  # one line, as every govkit command fails; the parent decides what next
        if os.environ.get("GOVKIT_DEBUG"):
            raise
        print(f"server process {os.getpid()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(3)


class _HandedServer(uvicorn.Server):
    """uvicorn's server without a listening socket of its own: it serves the connections whose
    descriptors arrive on ``channel``, with the protocol uvicorn builds for its own."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.connecting: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        loop = asyncio.get_running_loop()
        config = self.config

        def protocol() -> asyncio.Protocol:
            # uvicorn types Config.http_protocol_class as type[asyncio.Protocol], which takes no argument
            return config.http_protocol_class(  # type: ignore[call-arg]  # uvicorn lacks types for its constructor
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop
            )

        def handed() -> None:
            try:
                message, descriptors, _, _ = socket.recv_fds(self.channel, 16, 64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                message, descriptors = b"", []
            if not message and not descriptors:  # the parent is gone: stop taking connections
                loop.remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            for descriptor in descriptors:
                connection = socket.socket(fileno=descriptor)
                connection.setblocking(False)
                task = loop.create_task(loop.connect_accepted_socket(protocol, connection))
                self.connecting.add(task)  # a reference until it is done
                task.add_done_callback(self.connecting.discard)

        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), handed)
        self.channel.send(READY)  # serving: a death from now on is not a failure to start

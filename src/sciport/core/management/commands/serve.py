"""``sciport serve``: granian on the configured address, optionally with a task worker beside it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

THREADS_PER_WORKER = 4


class Command(BaseCommand):
    help = "Run the web server (granian, WSGI); --with-worker also runs the background worker. Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVE_PORT)
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)
        parser.add_argument("--with-worker", action="store_true", help="Also run `sciport worker` as a child process.")

    def handle(self, *args: Any, host: str, port: int, workers: int, with_worker: bool, **options: Any) -> None:
        metrics_dir = settings.VAR_DIR / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        worker = subprocess.Popen([sys.executable, "-m", "sciport", "worker"], env=env) if with_worker else None
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host,
                "--port",
                str(port),
                "--workers",
                str(workers),
                # A few threads per process: Python runs one at a time, and each thread keeps
                # its own database connection open (granian's default allows hundreds).
                "--blocking-threads",
                str(THREADS_PER_WORKER),
                "--no-ws",
                "sciport.wsgi:application",
            ],
            env=env,
        )
        self.stdout.write(f"sciport serving on http://{host}:{port}/ ({workers} worker process(es))")
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in filter(None, (server, worker)):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in filter(None, (server, worker)):
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

"""Waiting for a `rapport serve` we started: the tests' servers and the screenshot tool's."""

import subprocess
import time
import urllib.request


def wait_ready(url: str, process: subprocess.Popen, seconds: float) -> bool:
    """True once /readyz answers 200; False if the process exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)

"""`mlyetl simulator serve` as a real process on a free port."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import main

MLYETL = Path(sys.executable).with_name("mlyetl")


@pytest.mark.slow
def test_serve_subprocess_answers_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [str(MLYETL), "simulator", "serve", "--port", "0", "--world", "tiny", "--faults", "none",
         "--schedule", "entity:503:first1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = None
        for line in process.stdout:
            if line.startswith("Listening on "):
                url = line.split()[2]
                break
        assert url, process.stderr.read()
        request = urllib.request.Request(url + "/images?bbox=6.630,46.519,6.6315,46.5205&fields=id,geometry",
                                         headers={"Authorization": "OAuth MLY|4242|simulator"})
        with urllib.request.urlopen(request, timeout=20) as reply:
            assert json.loads(reply.read())["data"]
        with urllib.request.urlopen(url + "/__simulator/stats", timeout=20) as reply:
            assert json.loads(reply.read())["requests"] == {"images_bbox": 1}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_help_has_an_example_and_bad_input_exits_2() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["simulator", "serve", "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    result = runner.invoke(main, ["simulator", "serve", "--world", "atlantis"])
    assert result.exit_code == 2 and "atlantis" in result.output
    result = runner.invoke(main, ["simulator", "serve", "--faults", "5xx=7"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["simulator", "info", "--world", "tiny"])
    assert result.exit_code == 0 and "world tiny" in result.output

"""Shared fixtures. Every test runs offline: no analytics, a temporary user data dir, no model env."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["XXGK_ALLOW_REMOTE_MODELS"] = "0"  # building a model for a non-loopback URL raises
for _var in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "XXGK_LLM_BASE_URL", "OPENAI_API_KEY", "XXGK_LLM_MODEL"):
    os.environ.pop(_var, None)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_REPORT = ROOT / "assistant" / "samples" / "sample_report.yaml"
SAMPLE_NOTES = ROOT / "assistant" / "samples" / "sample_notes.md"


@pytest.fixture(autouse=True)
def _user_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own user data dir (SQLite store, exports)."""
    data_dir = tmp_path_factory.mktemp("xxgk-data")
    monkeypatch.setenv("XXGK_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture(scope="session")
def server():
    """The local OpenAI-compatible test server (tests/fake_openai_server.py), shared by the session."""
    from fake_openai_server import serve

    srv = serve()
    yield srv
    srv.stop()


@pytest.fixture
def fake(server):
    """The test server with its script, log and defaults cleared."""
    server.reset()
    return server


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE_REPORT


@pytest.fixture
def sample_data() -> dict:
    from assistant.schema import read_data_file

    return read_data_file(SAMPLE_REPORT)


@pytest.fixture
def sample_report():
    from assistant.schema import load_report_file

    return load_report_file(SAMPLE_REPORT)

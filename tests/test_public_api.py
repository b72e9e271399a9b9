"""The public API: every name in ``__all__`` exists, is documented, and ``import assistant`` stays light."""

from __future__ import annotations

import subprocess
import sys

import assistant
from assistant import api


def test_every_public_name_resolves_and_is_documented():
    for module in (assistant, api):
        for name in module.__all__:
            if name.startswith("__"):
                continue
            value = getattr(module, name)
            assert value is not None, name
            if callable(value):
                assert (value.__doc__ or "").strip(), f"{module.__name__}.{name} has no docstring"


def test_package_names_agree_with_the_api():
    for name in assistant.__all__:
        if name != "__version__" and name in api.__all__:
            assert getattr(assistant, name) is getattr(api, name)


def test_import_assistant_does_not_load_llm_or_ui_libraries():
    code = "import sys, assistant; print(any(m.split('.')[0] in ('gradio', 'langchain_openai', 'openai') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_cli_start_up_does_not_load_drafting_export_or_ui_stacks():
    code = (
        "import sys, assistant.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'gradio', 'langchain_core', 'openai', 'docx', 'openpyxl', 'pdfplumber'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_render_formats_agree_with_the_cli():
    from assistant.cli.export import EXPORT_FORMATS as CLI_FORMATS
    from assistant.render import EXPORT_FORMATS

    assert CLI_FORMATS == EXPORT_FORMATS

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
    # every package-level name is also reachable as assistant.api.<name>, even those loaded on first use
    for name in assistant.__all__:
        if name != "__version__":
            assert getattr(api, name) == getattr(assistant, name), name


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


def test_every_exception_the_api_raises_shares_one_base_and_is_listed():
    import inspect

    from assistant import fsio
    from assistant.checks import verdicts
    from assistant.drafting import library, session, store, storefile
    from assistant.drafting import notes as notes_mod
    from assistant.drafting import settings as settings_mod
    from assistant.drafting.edits import FormatMismatchError
    from assistant.ingest import errors as ingest_errors
    from assistant.render import gate, workbook
    from assistant.schema import document

    raised = {
        obj
        for module in (library, session, store, storefile, notes_mod, settings_mod, ingest_errors, gate, workbook,
                       document, verdicts, fsio)
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == module.__name__
    } | {FormatMismatchError}
    assert raised, "no exception classes found"
    for exc in raised:
        assert issubclass(exc, api.AssistantError), exc.__name__
        assert exc.__name__ in api.__all__, f"{exc.__name__} is raised through the API but not in __all__"
        assert getattr(api, exc.__name__) is exc


def test_the_shells_draft_only_through_the_session():
    from pathlib import Path

    root = Path(api.__file__).parent
    for shell in (root / "cli" / "draft.py", root / "app" / "tab_compose.py", root / "app" / "tab_settings.py"):
        text = shell.read_text(encoding="utf-8")
        assert "Drafter(" not in text and "OpenAI(" not in text and "store_result" not in text, shell.name

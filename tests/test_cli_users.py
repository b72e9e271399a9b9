"""`xxgk users`: accounts stored hashed in the user dir's store; the password never from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.drafting import VersionStore
from assistant.drafting.accounts import Accounts

runner = CliRunner()


def _store(user_dir: Path) -> VersionStore:
    return VersionStore(user_dir)


def test_add_list_passwd_remove(_user_dir: Path) -> None:
    done = runner.invoke(app, ["users", "add", "王科员", "--password-stdin"], input="s3cret-pass\n")
    assert done.exit_code == 0, done.output
    assert "已添加账号“王科员”" in done.output
    with _store(_user_dir) as store:
        row = store._db.execute("SELECT password FROM users WHERE name = '王科员'").fetchone()
        assert row is not None and "s3cret-pass" not in row[0] and row[0].startswith("scrypt$")
        assert Accounts(store).verify("王科员", "s3cret-pass")
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "王科员" in listed.output and "可登录" in listed.output

    again = runner.invoke(app, ["users", "add", "王科员", "--password-stdin"], input="another-pass\n")
    assert again.exit_code == 2 and "已存在" in again.output
    short = runner.invoke(app, ["users", "add", "李科长", "--password-stdin"], input="123\n")
    assert short.exit_code == 2 and "至少 8 个字符" in short.output

    changed = runner.invoke(app, ["users", "passwd", "王科员", "--password-stdin"], input="new-pass-123\n")
    assert changed.exit_code == 0
    with _store(_user_dir) as store:
        assert Accounts(store).verify("王科员", "new-pass-123") and not Accounts(store).verify("王科员", "s3cret-pass")

    removed = runner.invoke(app, ["users", "remove", "王科员", "--yes"])
    assert removed.exit_code == 0
    with _store(_user_dir) as store:
        assert Accounts(store).get("王科员") is None
    missing = runner.invoke(app, ["users", "remove", "王科员", "--yes"])
    assert missing.exit_code == 2 and "没有用户" in missing.output


def test_a_password_is_never_taken_from_the_command_line() -> None:
    done = runner.invoke(app, ["users", "add", "clerk", "--password", "x"])
    assert done.exit_code != 0  # no such option
    no_tty = runner.invoke(app, ["users", "add", "clerk"], input="")
    assert no_tty.exit_code == 2 and "--password-stdin" in no_tty.output

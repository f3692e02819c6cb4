from medaudit.cli.app import run


def test_help_and_version_exit_zero(capsys) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("eval", "compare", "bench", "models", "runs"):
        assert command in out
    assert run(["--version"]) == 0


def test_usage_errors_exit_two_without_traceback(capsys) -> None:
    assert run(["models", "nosuch"]) == 2
    assert run(["eval", "--limit", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "No such command" in err


def test_user_error_is_one_line_and_debug_shows_traceback(capsys) -> None:
    assert run(["eval", "-m", "gemma", "-b", "cmes-sample"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    import pytest

    from medaudit.errors import MedauditError

    with pytest.raises(MedauditError):
        run(["--debug", "eval", "-m", "gemma", "-b", "cmes-sample"])

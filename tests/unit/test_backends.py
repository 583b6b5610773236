import pytest
import yaml

from dbgen import __version__, backends
from dbgen.errors import InvalidOption
from dbgen.render import TEMPLATES


def _copier_config() -> dict[str, object]:
    config: dict[str, object] = yaml.safe_load((TEMPLATES / "project" / "copier.yml").read_text())
    return config


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(
        InvalidOption, match="unknown database .oracle.; choose one of: " + ", ".join(backends.BACKENDS)
    ):
        backends.get("oracle")


def test_default_urls_carry_no_password() -> None:
    for backend in backends.BACKENDS.values():
        url = backend.database_url("shop")
        assert url.split("://")[0] in backend.schemes
        assert ":" not in url.split("://", 1)[1].split("@")[0] or "@" not in url


def test_copier_questions_match_dbgen() -> None:
    """copier.yml asks what dbgen answers: same backends, same version."""
    config = _copier_config()
    assert config["db"]["choices"] == list(backends.BACKENDS)  # type: ignore[index]
    assert config["dbgen_version"]["default"] == __version__  # type: ignore[index]

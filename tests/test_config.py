"""Settings: a given value beats the ``KG_*`` environment, which beats the default; every value validated alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from kg.config import Settings, load_settings
from kg.errors import BadSetting

# setting, a value in the environment (as text) and what it reads as, a value given as an option
PER_SETTING = [
    ("host", "0.0.0.0", "0.0.0.0", "::1"),
    ("port", "8123", 8123, 9123),
    ("query_timeout", "2.5", 2.5, 7.0),
    ("workers", "37", 37, 41),
    ("search_processes", "0", 0, 3),
    ("max_rows", "10", 10, 20),
    ("cache_mb", "0", 0, 16),
    ("max_body_bytes", "4096", 4096, 8192),
    ("informea_page_size", "7", 7, 9),
    ("owl_check", "false", False, True),
    ("store", "/srv/kg/store", Path("/srv/kg/store"), Path("/data/store")),
    ("base_iri", "https://example.org/kg/", "https://example.org/kg/", "http://localhost:8000/"),
    ("update_token", "from-env", "from-env", "from-option"),
    (
        "service_allowlist",
        '["https://query.wikidata.org/sparql"]',
        ["https://query.wikidata.org/sparql"],
        ["https://dbpedia.org/sparql"],
    ),
    ("store_url", "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql", "https://kg.example.org/q"),
    ("update_url", "http://127.0.0.1:8890/update", "http://127.0.0.1:8890/update", "https://kg.example.org/u"),
    ("gsp_url", "http://127.0.0.1:8890/store", "http://127.0.0.1:8890/store", "https://kg.example.org/s"),
    ("remote_user", "reader", "reader", "writer"),
    ("remote_auth", "digest", "digest", "basic"),
]


def plain(value):
    return value.get_secret_value() if isinstance(value, SecretStr) else value


@pytest.mark.parametrize(("name", "env", "from_env", "given"), PER_SETTING, ids=[p[0] for p in PER_SETTING])
def test_environment_beats_the_default_and_a_given_value_beats_the_environment(monkeypatch, name, env, from_env, given):
    monkeypatch.delenv(f"KG_{name.upper()}", raising=False)
    default = plain(getattr(load_settings(), name))
    assert default != from_env != given  # the table proves something for this setting
    monkeypatch.setenv(f"KG_{name.upper()}", env)
    assert plain(getattr(load_settings(), name)) == from_env
    assert plain(getattr(load_settings(**{name: None}), name)) == from_env  # an option not given: the environment
    assert plain(getattr(load_settings(**{name: given}), name)) == given


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("KG_GSP_URL", "")
    monkeypatch.setenv("KG_PORT", "")
    settings = load_settings()
    assert settings.gsp_url is None and settings.port == Settings.model_fields["port"].default


BAD = [
    ("port", "99999", "less than or equal to 65535"),
    ("port", "-1", "greater than or equal to 0"),
    ("port", "http", "valid integer"),
    ("host", " ", "host name or an IP address"),
    ("query_timeout", "0", "greater than 0"),
    ("workers", "0", "greater than or equal to 1"),
    ("max_rows", "0", "greater than or equal to 1"),
    ("search_processes", "-1", "greater than or equal to 0"),
    ("cache_mb", "-1", "greater than or equal to 0"),
    ("max_body_bytes", "10", "greater than or equal to 1024"),
    ("informea_page_size", "0", "greater than or equal to 1"),
    ("owl_check", "maybe", "valid boolean"),
    ("base_iri", "w3id.org/mea-kg/", "absolute http"),
    ("store_url", "ftp://example.org/sparql", "absolute http"),
    ("update_url", "localhost:8890/update", "absolute http"),
    ("gsp_url", "http://", "absolute http"),
    ("service_allowlist", '["file:///etc/passwd"]', "absolute http"),
    ("remote_auth", "kerberos", "'basic' or 'digest'"),
]


@pytest.mark.parametrize(("name", "value", "why"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_variable_is_a_bad_setting_naming_it(monkeypatch, name, value, why):
    monkeypatch.setenv(f"KG_{name.upper()}", value)
    with pytest.raises(BadSetting, match=f"KG_{name.upper()}") as raised:
        load_settings()
    assert why in str(raised.value) and raised.value.exit_code == 2
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("name", "value", "why"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_bad_option_is_validated_as_its_variable(monkeypatch, name, value, why):
    monkeypatch.delenv(f"KG_{name.upper()}", raising=False)
    option = [value.strip('[]"')] if name == "service_allowlist" else value  # what the option parser hands over
    with pytest.raises(BadSetting, match=rf"{name}=.*\(option\)") as raised:
        load_settings(**{name: option})
    assert why in str(raised.value)


def test_a_list_variable_that_is_not_json_is_a_bad_setting(monkeypatch):
    monkeypatch.setenv("KG_SERVICE_ALLOWLIST", "https://query.wikidata.org/sparql")
    with pytest.raises(BadSetting, match=r"service_allowlist.*JSON"):
        load_settings()

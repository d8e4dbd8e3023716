"""SQL sources: DuckDB embedded and a real PostgreSQL server through SQLAlchemy, with the
password from the environment."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pumpsite.pull.problems import MISSING_ENV, SourceError
from pumpsite.pull.query import expand
from tests.pull.conftest import Postgres
from tests.pull.repos import csv_lines, pull, repo

REGISTER = csv_lines("1,2026-08-03,complaint,10", "2,2026-10-02,complaint,41")


def test_a_duckdb_query_of_periods_and_values(tmp_path: Path) -> None:
    query = (
        "query: >-\n  SELECT strftime(logged_on, '%Y-%m') AS period, count(*) AS value,"
        " 'from the register' AS note\n  FROM 'data/raw/r.csv' GROUP BY ALL\n"
    )
    root = repo(tmp_path, query, {"data/raw/r.csv": REGISTER})
    result = pull(root)
    assert result.exit_code == 0, result.output
    assert (root / "data/m.csv").read_text() == (
        "period,value,note\n2026-08,1,from the register\n2026-10,1,from the register\n"
    )


def test_a_duckdb_query_of_records_with_dates(tmp_path: Path) -> None:
    query = "query: SELECT * FROM 'data/raw/r.csv'\ndate: logged_on\n"
    root = repo(tmp_path, query, {"data/raw/r.csv": REGISTER})
    assert pull(root).exit_code == 0
    assert (root / "data/m.csv").read_text() == "period,value\n2026-08,1\n2026-09,0\n2026-10,1\n"


def test_a_duckdb_database_file_named_in_mkdocs_yml(tmp_path: Path) -> None:
    root = repo(tmp_path, "connection: local\nquery: SELECT d AS period, v AS value FROM t\n",
                {"mkdocs.yml": "site_name: T\nextra:\n  pumpsite:\n    connections:\n"
                 "      local: duckdb:data/w.duckdb\n"})  # fmt: skip
    (root / "data").mkdir()
    with duckdb.connect(str(root / "data/w.duckdb")) as con:
        con.execute("CREATE TABLE t AS SELECT DATE '2026-09-30' AS d, 7 AS v")
    assert pull(root).exit_code == 0
    assert (root / "data/m.csv").read_text() == "period,value\n2026-09,7\n"


def test_placeholders_are_read_from_the_environment() -> None:
    url = "postgresql://me:${PW}@${HOST}/db"
    assert expand(url, {"PW": "a@b/c", "HOST": "db.example.com"}, "w") == (
        "postgresql://me:a%40b%2Fc@db.example.com/db"
    )
    assert expand("${URL}", {"URL": "sqlite:///x?a=1"}, "w") == "sqlite:///x?a=1"
    with pytest.raises(SourceError) as raised:
        expand(url, {}, "w")
    assert raised.value.code == MISSING_ENV
    assert raised.value.message == (
        "Connection 'w' needs the environment variable HOST (and PW), which is not set. Set it "
        "where pumpsite pull runs (in a workflow, from a secret: env: HOST: "
        "${{ secrets.HOST }})."
    )


def _settings(server: Postgres) -> str:
    return f"site_name: T\nextra:\n  pumpsite:\n    connections:\n      warehouse: {server.url()}\n"


def test_postgresql_periods_and_records(tmp_path: Path, postgres: Postgres) -> None:
    postgres.run(
        "DROP TABLE IF EXISTS complaints; CREATE TABLE complaints (logged_at timestamptz, "
        "channel text); INSERT INTO complaints VALUES ('2026-07-31 23:00+00', 'phone'), "
        "('2026-08-01 01:00+02', 'email'), ('2026-08-15 12:00+00', 'phone'), "
        "('2026-10-01 00:00+00', 'phone')"
    )
    env = {"PG_PASSWORD": postgres.password}
    periods = (
        "connection: warehouse\nquery: >-\n  SELECT date_trunc('month', logged_at AT TIME ZONE "
        "'UTC')::date AS period, count(*) AS value FROM complaints WHERE channel LIKE 'p%' "
        "GROUP BY 1\n"
    )
    root = repo(tmp_path / "periods", periods, {"mkdocs.yml": _settings(postgres)})
    result = pull(root, env=env)
    assert result.exit_code == 0, result.output
    # A query of periods gives its own rows: a month it has no row for stays missing.
    assert (root / "data/m.csv").read_text() == "period,value\n2026-07,1\n2026-08,1\n2026-10,1\n"
    records = "connection: warehouse\nquery: SELECT * FROM complaints\ndate: logged_at\n"
    root = repo(tmp_path / "records", records, {"mkdocs.yml": _settings(postgres)})
    assert pull(root, env=env).exit_code == 0
    # 01:00 at UTC+2 on 1 August is still 31 July in UTC.
    assert (root / "data/m.csv").read_text() == (
        "period,value\n2026-07,2\n2026-08,1\n2026-09,0\n2026-10,1\n"
    )


def test_postgresql_problems(tmp_path: Path, postgres: Postgres) -> None:
    files = {"mkdocs.yml": _settings(postgres)}
    root = repo(tmp_path / "syntax", "connection: warehouse\nquery: SELEC 1\n", files)
    result = pull(root, env={"PG_PASSWORD": postgres.password})
    assert result.exit_code == 1
    assert result.stdout == (
        'measures/m.md:8: error: The query fails: syntax error at or near "SELEC". [PS818]\n'
    )
    result = pull(root, env={"PG_PASSWORD": "wrong"})
    assert result.stdout == (
        f"measures/m.md:7: error: Connection 'warehouse' (postgresql://pumpsite:***@127.0.0.1:"
        f"{postgres.port}/postgres) cannot be opened: connection failed: connection to server at"
        f' "127.0.0.1", port {postgres.port} failed: FATAL:  password authentication failed for '
        'user "pumpsite". [PS817]\n'
    )
    assert "wrong" not in result.output

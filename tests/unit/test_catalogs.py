"""The translation catalogs' tool (``book/_ext/catalogs.py``): a refreshed catalog leaves nothing stale behind
when a translator edits it, and ``check`` reports what is stale."""

from __future__ import annotations

import importlib.util
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"
LONG = ("The book did not publish its weights, but the experiment trains them, a long run on a CPU which can be "
        "interrupted and resumed, and writes a checkpoint that the command line can generate text with.")


@pytest.fixture()
def catalogs(tmp_path, monkeypatch):
    sys.path.insert(0, str(EXT))
    try:
        spec = importlib.util.spec_from_file_location("catalogs", EXT / "catalogs.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXT))
    monkeypatch.setattr(module, "POT_DIR", tmp_path / "pot")
    monkeypatch.setattr(module, "LOCALES", tmp_path / "locales")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    return module


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, no_location=True, sort_output=False)
    path.write_bytes(buffer.getvalue())


def _template(path: Path, *messages: str) -> None:
    template = Catalog()
    for message in messages:
        template.add(message)
    _write(path, template)


def test_a_changed_message_translated_again_leaves_no_trace_of_its_old_english(catalogs, tmp_path):
    pot, po = tmp_path / "pot" / "page.pot", tmp_path / "locales" / "ko" / "LC_MESSAGES" / "page.po"
    _template(pot, LONG)
    old = Catalog(locale="ko")
    old.add(LONG, "책은 가중치를 공개하지 않았다.")
    _write(po, old)
    _template(pot, LONG.replace("a long run", "a very long run"))
    catalogs.update("ko", ["page"])
    with po.open("rb") as f:
        catalog = read_po(f, locale="ko")
    entry = catalog.get(LONG.replace("a long run", "a very long run"))
    assert entry.fuzzy and catalogs.problems("ko", "page")[0].startswith("fuzzy")
    entry.flags.discard("fuzzy")  # the translator's edit, with Babel, as CONTRIBUTING.md describes
    _write(po, catalog)
    assert catalogs.problems("ko", "page") == []
    assert "#" not in po.read_text(encoding="utf-8").split("msgid", 2)[2]  # no comment of any kind left


def test_check_reports_an_old_english_kept_as_a_comment(catalogs, tmp_path):
    _template(tmp_path / "pot" / "page.pot", LONG)
    catalog = Catalog(locale="ko")
    catalog.add(LONG, "책은 가중치를 공개하지 않았다.", user_comments=['| msgid "The book did not publish"'])
    _write(tmp_path / "locales" / "ko" / "LC_MESSAGES" / "page.po", catalog)
    assert catalogs.problems("ko", "page") == [
        f"a previous English kept as a comment ('# | msgid ...'): {LONG[:70]!r}"]

"""Write the Jupyter Book configuration of the site's edition in another language (``make book-ko``).

    python book/_ext/edition_config.py ko _build/ko/_config.yml
    python book/_ext/edition_config.py en _build/gettext/_config.yml --no-execute   # to extract the messages

The edition's configuration is the English one (``_config.yml``) with the language, its message catalogs
(``locales/``) and its own execution cache (the pages run again in that language, see ``translations.py``);
deriving it keeps the editions from drifting apart. ``--no-execute`` turns execution off, for extracting the
pages' messages (``make gettext``), which needs no outputs. Jupyter Book resolves local extensions against the
configuration file's folder, so their paths are written out in full.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

#: The book's title in each edition.
TITLES = {"ko": "scratchnlp: 밑바닥부터 시작하는 딥러닝 2, 실행하며 읽기"}

#: Settings whose words a reader sees, per edition (the English ones are in _config.yml).
WORDS = {
    "ko": {
        "copyright": "scratchnlp 개발자들; 코드는 MIT 라이선스",
        "nb_code_prompt_show": "코드 보기",
        "nb_code_prompt_hide": "코드 숨기기",
        "search_bar_text": "이 책에서 검색...",
    },
}


def edition_config(lang: str, english: dict, *, execute: bool = True) -> dict:
    """The configuration of the ``lang`` edition made from the English ``english`` configuration."""
    if lang != "en" and lang not in TITLES:
        raise SystemExit(f"no edition {lang!r}; known: {sorted(TITLES)}")
    config = dict(english)
    config["title"] = TITLES.get(lang, config.get("title"))
    execution = dict(config.get("execute") or {})
    # each edition executes into its own cache; the English one is where `make book` keeps it
    execution["cache"] = str(ROOT / "_build" / (".jupyter_cache" if lang == "en" else f".jupyter_cache_{lang}"))
    if not execute:
        execution["execute_notebooks"] = "off"
    config["execute"] = execution
    sphinx = dict(config.get("sphinx") or {})
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve()) + "/"
                                  for name, path in (sphinx.get("local_extensions") or {}).items()}
    sphinx_config = dict(sphinx.get("config") or {})
    sphinx_config["language"] = lang
    words = WORDS.get(lang, {})
    if "copyright" in words:
        config["copyright"] = words["copyright"]
    sphinx_config.update({k: v for k, v in words.items() if k.startswith("nb_")})
    if "search_bar_text" in words:  # Jupyter Book's default is English ("Search this book...")
        sphinx_config["html_theme_options"] = {**(sphinx_config.get("html_theme_options") or {}),
                                               "search_bar_text": words["search_bar_text"]}
    sphinx["config"] = sphinx_config
    config["sphinx"] = sphinx
    return config


def main(argv: list[str]) -> int:
    execute = "--no-execute" not in argv
    argv = [a for a in argv if a != "--no-execute"]
    if len(argv) != 2:
        raise SystemExit("usage: python book/_ext/edition_config.py LANG OUTPUT.yml [--no-execute]")
    lang, output = argv
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(edition_config(lang, english, execute=execute), allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

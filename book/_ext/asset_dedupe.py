"""Sphinx extension: drop inline <script> blocks that Sphinx 7.4 writes twice.

Sphinx 7.4 re-adds every registered script when it prepares to write, turning a registered inline script
(filename None) into a second copy (filename ''). sphinx-thebe declares ``const THEBE_JS_URL`` in such a
script, so the duplicate throws "Identifier 'THEBE_JS_URL' has already been declared" in every browser.
This keeps the first copy of each script (same file, or same inline body) on every page.
"""

from __future__ import annotations

from typing import Any


def _key(script: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return str(filename), tuple(sorted((str(k), str(v)) for k, v in attributes.items()))


def dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    # Late, after other extensions have added their page-specific scripts.
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

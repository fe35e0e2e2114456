"""Loading the tariff catalogue and the knowledge base files."""

from __future__ import annotations

import json
from pathlib import Path

from services.accounts.domain.support import Article
from services.accounts.domain.tariffs import TariffCatalogue

__all__ = ["load_catalogue", "load_knowledge_base"]


def load_catalogue(path: Path) -> TariffCatalogue:
    try:
        return TariffCatalogue.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as error:
        raise SystemExit(f"TARIFF_CATALOGUE: cannot load {path}: {error}") from None


def load_knowledge_base(path: Path) -> tuple[Article, ...]:
    """The pages in file order; a page without an id, title or text, or a repeated id, stops the start."""
    try:
        pages = tuple(Article.model_validate(page) for page in json.loads(path.read_text(encoding="utf-8"))["pages"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"KNOWLEDGE_BASE: cannot load {path}: {error}") from None
    if len({page.page_id for page in pages}) != len(pages):
        raise SystemExit(f"KNOWLEDGE_BASE: {path} repeats a page id")
    return pages

"""Website test data made through the services, as the site's users make it."""

from __future__ import annotations

import io
from typing import Any

from corett.website import services
from corett.website.models import Article, MediaKind, Publication


def png(width: int = 4, height: int = 4) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#123e6b").save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def article_data(slug: str = "noticia", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": slug, "title_es": f"Plenaria {slug}", "title_en": f"Plenary {slug}",
        "summary_es": "Resumen en español", "summary_en": "Summary in English",
        "body_es": "La **plenaria** acordó los puntos A a G.", "body_en": "The **plenary** adopted items A to G.",
        "cover": None, "countries": [],
    }
    data.update(overrides)
    return data


def make_article(author: Any, reviewer: Any, *, slug: str = "noticia", publish: bool = False,
                 **overrides: Any) -> Article:
    article = services.article_create(actor=author, data=article_data(slug, **overrides))
    if publish:
        services.article_submit(actor=author, article=article)
        services.article_publish(actor=reviewer, article=article)
    return article


def make_publication(author: Any, *, slug: str = "protocolo", published: bool = True, **overrides: Any) -> Publication:
    media = services.media_upload(actor=author, filename=f"{slug}.pdf", data=PDF, kind=MediaKind.ATTACHMENT)
    data: dict[str, Any] = {
        "slug": slug, "title_es": "Protocolo de repatriación", "title_en": "Repatriation protocol",
        "description_es": "Etapas del retorno", "description_en": "Stages of the return",
        "kind": "protocol", "topic": "repatriation", "country": None, "language": "es", "year": 2022,
        "file": media, "is_published": published,
    }
    data.update(overrides)
    return services.publication_create(actor=author, data=data)

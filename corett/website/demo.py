"""Demo content of the public website: the report of plenary III-2022 as the first article (Spanish
as the coalition wrote it, and English), a handful of news items, a publication of each type
with a small generated file, and the help page of the nine members with demo numbers, marked.

Written through the services, as the demo's editor (drafts and sends for review) and the
Secretariat (publishes): the demo's articles have versions and audit entries like real ones.
Idempotent: an article or publication whose address exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from corett.accounts.models import User
from corett.directory.models import Country
from corett.website import services
from corett.website.models import Article, HelpLine, MediaKind, Publication

# The coalition's own report of the meeting, as published (shared/domain/plenaria-III-2022.txt).
PLENARY_FILE = Path(__file__).resolve().parent / "demo_content" / "plenaria-III-2022.txt"

PLENARY_EN = """On 5 and 6 September 2022, representatives of the CORETT's nine member countries met in San Salvador to continue their action against trafficking in persons and the smuggling of migrants in the region. Among the most significant agreements adopted at the meeting:

A) The approval and signing of a memorandum of understanding (MoU) with OUR (Operation Underground Railroad), a US NGO devoted to rescuing victims of trafficking in persons, with a special focus on children. Even before this signing, OUR had already worked with several CORETT countries by funding the repatriation of victims of trafficking. The MoU with OUR focuses on efforts such as those already made in that cooperation.

B) The approval and signing of an MoU with El Pozo de Vida, a Mexican NGO devoted to the fight against trafficking in persons and an observer member of the CORETT. The MoU includes, among other things, cooperation to make the CORETT's work visible through its website and other means, and to produce information materials on trafficking in persons in the Mesoamerican region.

C) The CORETT approved the Operational Action Plan 2023-2025, which sets out the objectives and the actions to be taken by the Presidency, the Technical Secretariat, the member countries and the observer members.

D) The CORETT met the new Secretary General of the Central American Integration System (SICA) and his advisers to join efforts in addressing trafficking in persons and the smuggling of migrants, and to place these issues at the highest level of the Central American agenda. The CORETT has already worked with SICA through the Central American Security Commission.

E) The CORETT thanked the International Organization for Migration's (IOM) Regional Programme on Migration for its support and reaffirmed its commitment to their cooperation: infographics on trafficking in persons for each country and for the region, a possible study of the risk factors faced by migrant women in the region, and the coordination of projects between SICA's General Secretariat, IOM, the CORETT and STM-COMMCA to address the violence that migrant women face in the region.

F) The CORETT thanked IOM and SICA's General Secretariat for, and approved, their support to train the CORETT's member commissions and local committees in strategies to prevent trafficking in persons and the smuggling of migrants, in the care of victims of trafficking and of smuggled persons, and in the protocol for the repatriation of victims of trafficking.

G) The CORETT thanked for and approved the brochure on communicating trafficking in persons for the media in the region, produced with the support of the United Nations Office on Drugs and Crime (UNODC).

The meeting took place at the premises of SICA's General Secretariat, with the support of that Secretariat, IOM, the cooperation of the Grand Duchy of Luxembourg and UNODC. Besides the observer members mentioned (SICA, IOM and UNODC), representatives of El Pozo de Vida, Lawyers Without Borders Canada, ECPAT Guatemala and Operation Underground Railroad took part."""

NEWS = [
    ("capacitacion-comites-locales-2023", ["GT", "HN", "SV"], 30,
     "Comienza la capacitación de comités locales en el protocolo de repatriación",
     "Training of local committees in the repatriation protocol begins",
     "Con el apoyo de la OIM y la SG-SICA, las comisiones nacionales forman a sus comités locales.",
     "With the support of IOM and SICA's General Secretariat, national commissions train their local committees.",
     "Las comisiones nacionales de Guatemala, Honduras y El Salvador iniciaron la formación de sus comités locales "
     "en prevención, atención de víctimas y el protocolo regional de repatriación, según el acuerdo F de la "
     "plenaria III-2022.",
     "The national commissions of Guatemala, Honduras and El Salvador began training their local committees in "
     "prevention, victim care and the regional repatriation protocol, under agreement F of plenary III-2022."),
    ("folleto-medios-unodc", [], 60,
     "Folleto para medios: cómo informar sobre la trata de personas",
     "Media brochure: how to report on trafficking in persons",
     "La CORETT publica, con UNODC, una guía para periodistas de la región.",
     "The CORETT publishes, with UNODC, a guide for the region's journalists.",
     "El folleto aprobado en la plenaria III-2022 ofrece pautas para informar sin revictimizar: proteger la "
     "identidad de las víctimas, evitar el sensacionalismo y señalar dónde buscar ayuda. Está disponible en la "
     "biblioteca de publicaciones.",
     "The brochure approved at plenary III-2022 gives guidance on reporting without re-victimising: protect "
     "victims' identity, avoid sensationalism and say where to find help. It is available in the publications "
     "library."),
    ("infografias-oim", ["MX", "DO"], 90,
     "Infografías por país sobre la trata de personas",
     "Country infographics on trafficking in persons",
     "Con la OIM, la coalición prepara infografías nacionales y una regional.",
     "With IOM, the coalition prepares national infographics and a regional one.",
     "Según el acuerdo E, cada comisión nacional aporta sus datos y la OIM apoya su presentación en infografías "
     "con control de divulgación: ninguna cifra permite reconocer a una persona.",
     "Under agreement E, each national commission contributes its data and IOM supports their presentation as "
     "infographics with disclosure control: no figure allows anyone to be recognised."),
    ("alianza-el-pozo-de-vida", ["MX"], 120,
     "El Pozo de Vida y la CORETT, juntos por la visibilidad",
     "El Pozo de Vida and the CORETT, together for visibility",
     "El memorando con El Pozo de Vida impulsa este sitio y nuevos materiales informativos.",
     "The memorandum with El Pozo de Vida drives this website and new information materials.",
     "Como parte del acuerdo B, El Pozo de Vida colabora en la difusión del trabajo de la coalición y en la "
     "elaboración de materiales sobre la trata en la región mesoamericana.",
     "Under agreement B, El Pozo de Vida helps make the coalition's work known and prepare materials on "
     "trafficking in the Mesoamerican region."),
]

PUBLICATIONS = [
    ("protocolo-regional-repatriacion", "protocol", "repatriation", None, "es", 2021,
     "Protocolo regional para la repatriación de víctimas de trata", "Regional protocol for the repatriation of victims of trafficking",
     "Etapas, plazos y responsables del retorno seguro de las víctimas.", "Stages, deadlines and who is responsible for the safe return of victims."),
    ("informe-anual-2022", "report", "data", None, "es", 2022,
     "Informe anual de la CORETT 2022", "CORETT annual report 2022",
     "Actividades, acuerdos y resultados del año.", "The year's activities, agreements and results."),
    ("folleto-medios-comunicacion", "brochure", "communication", None, "es", 2022,
     "Folleto sobre comunicación de la trata de personas para medios", "Brochure on communicating trafficking in persons for the media",
     "Elaborado con el apoyo de UNODC (acuerdo G de la plenaria III-2022).", "Produced with UNODC's support (agreement G of plenary III-2022)."),
    ("infografia-regional-2022", "infographic", "data", None, "es", 2022,
     "Infografía regional 2022 (datos de demostración)", "Regional infographic 2022 (demonstration data)",
     "Ejemplo de infografía con datos ficticios.", "An example infographic with fictitious data."),
    ("guia-atencion-victimas-belize", "guide", "victim_care", "BZ", "en", 2023,
     "Guía de atención a víctimas (Belice)", "Victim care guide (Belize)",
     "Guía nacional en inglés.", "A national guide in English."),
]

# Demo help lines: obviously fictitious numbers, marked as demonstration data on the public page.
HELP_LINES = {
    "BZ": "+501 000 0000", "CR": "+506 0000 0000", "SV": "+503 0000 0000", "GT": "+502 0000 0000",
    "HN": "+504 0000 0000", "MX": "+52 00 0000 0000", "NI": "+505 0000 0000", "PA": "+507 000 0000",
    "DO": "+1 809 000 0000",
}


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, ASCII text), enough for a demo download."""
    def esc(text: str) -> str:
        ascii_text = text.encode("ascii", "replace").decode()
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT", "/F1 18 Tf", "72 760 Td", f"({esc(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        body += ["0 -20 Td", f"({esc(line)}) Tj"]
    body.append("ET")
    stream = "\n".join(body).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _png(title: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 450), "#eef3f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 60), fill="#123e6b")
    draw.text((20, 20), title.encode("ascii", "replace").decode(), fill="#ffffff")
    for i, height in enumerate((120, 200, 90, 260, 150)):
        draw.rectangle((80 + i * 130, 400 - height, 160 + i * 130, 400), fill="#b3541e")
    draw.text((20, 420), "DEMO - fictitious data", fill="#111111")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _publish(article: Article, *, editor: User, reviewer: User, when: dt.datetime) -> None:
    services.article_submit(actor=editor, article=article)
    services.article_publish(actor=reviewer, article=article)
    # The demo's history: each article keeps the date of the event it reports.
    Article.objects.filter(pk=article.pk).update(published_at=when)


def seed(accounts: dict[str, Any]) -> None:
    if not settings.DEMO:
        return
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="secretariat")
    countries = {c.iso2: c for c in Country.objects.members()}

    if not Article.objects.filter(slug="plenaria-iii-2022").exists():
        body_es = PLENARY_FILE.read_text(encoding="utf-8")
        body_es = "\n".join(line for line in body_es.splitlines() if not line.startswith("## ")).strip()
        article = services.article_create(actor=editor, data={
            "slug": "plenaria-iii-2022",
            "title_es": "Reunión Plenaria de la CORETT III-2022",
            "title_en": "CORETT Plenary Meeting III-2022",
            "summary_es": "Los nueve países miembros se reunieron en San Salvador el 5 y 6 de septiembre de 2022 "
                          "y adoptaron los acuerdos A a G.",
            "summary_en": "The nine member countries met in San Salvador on 5 and 6 September 2022 and adopted "
                          "agreements A to G.",
            "body_es": body_es, "body_en": PLENARY_EN,
            "countries": list(countries.values()),
        })
        _publish(article, editor=editor, reviewer=reviewer,
                 when=dt.datetime(2022, 9, 7, 16, 0, tzinfo=dt.UTC))

    now = timezone.now()
    for slug, isos, days_ago, t_es, t_en, s_es, s_en, b_es, b_en in NEWS:
        if Article.objects.filter(slug=slug).exists():
            continue
        article = services.article_create(actor=editor, data={
            "slug": slug, "title_es": t_es, "title_en": t_en, "summary_es": s_es, "summary_en": s_en,
            "body_es": b_es, "body_en": b_en, "countries": [countries[i] for i in isos if i in countries],
        })
        _publish(article, editor=editor, reviewer=reviewer, when=now - dt.timedelta(days=days_ago))
    if not Article.objects.filter(slug="borrador-semana-contra-la-trata").exists():
        services.article_create(actor=editor, data={
            "slug": "borrador-semana-contra-la-trata",
            "title_es": "Semana regional contra la trata (borrador)", "title_en": "Regional week against trafficking (draft)",
            "summary_es": "Un borrador que espera revisión.", "summary_en": "A draft awaiting review.",
            "body_es": "Texto en preparación.", "body_en": "Text in preparation.",
        })

    for slug, kind, topic, iso2, language, year, t_es, t_en, d_es, d_en in PUBLICATIONS:
        if Publication.objects.filter(slug=slug).exists():
            continue
        if kind == "infographic":
            media = services.media_upload(actor=editor, filename=f"{slug}.png", data=_png(t_en),
                                          kind=MediaKind.IMAGE, alt_es=t_es, alt_en=t_en)
        else:
            media = services.media_upload(actor=editor, filename=f"{slug}.pdf", kind=MediaKind.ATTACHMENT,
                                          data=_pdf(t_es if language == "es" else t_en, [d_es, d_en, "CORETT - demo"]))
        services.publication_create(actor=editor, data={
            "slug": slug, "title_es": t_es, "title_en": t_en, "description_es": d_es, "description_en": d_en,
            "kind": kind, "topic": topic, "country": countries.get(iso2) if iso2 else None,
            "language": language, "year": year, "file": media, "is_published": True,
        })

    admin = User.objects.get(username="admin")
    for iso2, phone in HELP_LINES.items():
        country = countries.get(iso2)
        if country is None or HelpLine.objects.filter(country=country).exists():
            continue
        services.helpline_save(actor=admin, line=None, data={
            "country": country, "phone": phone, "is_demo": True, "order": 1,
            "name_es": "Línea de ayuda a víctimas (ejemplo)", "name_en": "Victim help line (example)",
            "hours_es": "24 horas", "hours_en": "24 hours",
            "description_es": "Número de demostración: no es un servicio real.",
            "description_en": "Demonstration number: not a real service.",
        })
